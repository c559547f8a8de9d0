// Copies the non-TypeScript runtime assets (the embedded catalogue) next to the compiled output.
import { cpSync, existsSync, mkdirSync } from "node:fs";

mkdirSync("dist/data", { recursive: true });
if (existsSync("data")) cpSync("data", "dist/data", { recursive: true });
