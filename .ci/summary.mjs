// Prints the plain summary line CI reads ("N passed, N failed[, N skipped]") from vitest's JSON report.
import { existsSync, readFileSync } from "node:fs";

const [file, status] = process.argv.slice(2);
if (!existsSync(file)) {
  // Type checking or lint failed before the tests ran.
  console.log(`0 passed, 1 failed`);
  process.exit(0);
}
const report = JSON.parse(readFileSync(file, "utf8"));
const skipped = (report.numPendingTests ?? 0) + (report.numTodoTests ?? 0);
let failed = report.numFailedTests ?? 0;
// A failing suite (e.g. a crash in beforeAll) fails the run even with no failed test inside it.
if (failed === 0 && status !== "0") failed = 1;
console.log(`${report.numPassedTests ?? 0} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
