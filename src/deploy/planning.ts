/**
 * What the resource modules share while one plan is derived: the inputs, and the ids of the
 * objects the earlier kinds found or will create (`{{ref:<step id>}}` for those created in this
 * plan), so a later kind can point at them.
 */
import type { Config, Profile } from "../config/schema.js";
import type { Directory } from "../snapshot/directory.js";
import type { Snapshot } from "../snapshot/schema.js";
import type { Desired } from "./desired.js";
import type { Enrollment } from "./enrollment.js";

export interface Ids {
  /** account key -> user id (or reference). */
  accounts: Map<string, string>;
  group?: string;
  strength?: string;
  policy?: string;
  administrativeUnit?: string;
}

export interface Planning {
  snapshot: Snapshot;
  config: Config;
  profile: Profile;
  directory: Directory;
  desired: Desired;
  ids: Ids;
  /** per account, its keys and whether it is enrolled (the enrollment gate). */
  enrollment: Enrollment;
}
