/** The Conditional Access engine: evaluator, satisfiability, scenario space, prover, What If. */
export * from "./types.js";
export * from "./catalogue.js";
export { CaEngine, evaluatePolicy, evaluateSignIn, combineOutcome, stateSelected } from "./engine.js";
export type { Evaluation, Outcome, PolicyMode, PolicyVerdict, ClauseResult, AtomResult } from "./engine.js";
export { capabilityOf, atomSatisfied, strengthPath } from "./capability.js";
export type { Capability, RegisteredMethod } from "./capability.js";
export { identityOf, eligibleRoles, explainUsers } from "./identity.js";
export { compilePolicy, DIMENSIONS } from "./policy.js";
export type { CompiledPolicy, GrantAtom } from "./policy.js";
export { parseDeviceFilter, evalDeviceFilter } from "./device-filter.js";
export { scenarioSpace } from "./scenarios.js";
export { proveAccount, proveAllAdmins } from "./prover.js";
export type { AccountProof, AllAdminsProof, CounterExample, TenantLockout } from "./prover.js";
export { evaluateWhatIf, whatIfResponse, parseWhatIfRequest, WhatIfRequestError } from "./whatif.js";
export { describeSignIn, describeOutcome, describeCounterExample, whatIfRequestOf } from "./format.js";
