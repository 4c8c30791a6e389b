#!/usr/bin/env node
import { main } from "./main.js";

// A closed pipe (`breakglass assess | head`) ends the command quietly instead of crashing on EPIPE.
process.stdout.on("error", (err: NodeJS.ErrnoException) => {
  if (err.code !== "EPIPE") throw err;
  process.exit(typeof process.exitCode === "number" ? process.exitCode : 0);
});

main(process.argv).then((code) => {
  process.exitCode = code;
});
