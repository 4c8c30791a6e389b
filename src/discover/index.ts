export {
  DISCOVERY_THRESHOLD,
  DISCOVERY_WEIGHTS,
  discoverCandidates,
  selectCandidates,
  signalText,
} from "./discover.js";
export type { DiscoveryCandidate, DiscoverySignal } from "./discover.js";
export { EMERGENCY_WORDS, emergencyWordIn } from "./keywords.js";
