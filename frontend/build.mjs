// Bundles src/index.ts into the one ES module the integration serves and HACS ships
// (`node build.mjs [outfile]`: scripts/test builds elsewhere to compare with the committed one).
// esbuild: one fast, dependency-free binary that bundles TypeScript and minifies in one
// step; rollup would need a plugin each for TypeScript, resolution and minifying.
import { build } from "esbuild";
import { readFile } from "node:fs/promises";

const manifest = JSON.parse(
  await readFile(new URL("../custom_components/homeiq/manifest.json", import.meta.url), "utf8"),
);

await build({
  entryPoints: [new URL("src/index.ts", import.meta.url).pathname],
  outfile:
    process.argv[2] ?? new URL("../custom_components/homeiq/frontend/homeiq.js", import.meta.url).pathname,
  bundle: true,
  format: "esm",
  target: "es2022",
  minify: true,
  legalComments: "none",
  banner: { js: `/*! HomeIQ ${manifest.version} — built from frontend/ (npm run build); do not edit */` },
  logLevel: "warning",
});
