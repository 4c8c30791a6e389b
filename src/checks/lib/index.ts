/**
 * The check library: everything a check is written with (see ../README.md). A check imports from
 * here, so a new check is its rule, its `.md` and its test.
 */
export * from "./accounts.js";
export * from "./conditional-access.js";
export * from "./define.js";
export * from "./records.js";
export * from "./support.js";
export {
  groupSubject,
  policySubject,
  strengthSubject,
  type Subject,
  tenantSubject,
  userSubject,
} from "../../snapshot/subjects.js";
