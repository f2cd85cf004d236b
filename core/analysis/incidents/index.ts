// Every incident of the corpus, for incidents.test.ts and the accuracy figure.
import { evidenceIncidents } from "./evidence.js";
import { healthyIncidents } from "./healthy.js";
import { holdoutIncidents } from "./holdout.js";
import { messageIncidents } from "./messages.js";
import { noiseIncidents } from "./noise.js";
import { originIncidents } from "./origin.js";
import { retryIncidents } from "./retries.js";
import { skewIncidents } from "./skew.js";
import type { Incident } from "./types.js";

export type { Incident } from "./types.js";

export const INCIDENTS: readonly Incident[] = [
  ...noiseIncidents,
  ...retryIncidents,
  ...originIncidents,
  ...healthyIncidents,
  ...evidenceIncidents,
  ...skewIncidents,
  ...messageIncidents,
  ...holdoutIncidents,
];
