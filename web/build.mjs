// Builds what the daemon serves to browsers into dist/:
//   dist/app/<page>.js   one entry per staff page (src/pages/*.ts), shared code split into chunks
//   dist/app/app.css     the shell's and the pages' styles
//   dist/jssip.min.js    JsSIP, which the click-to-call widget loads for web calls
//   dist/widget.js       the click-to-call widget (src/widget), for other sites' pages
// and dist/app/meta.json (esbuild's metafile: what each bundle holds, read by benchmarks/).
import { readdirSync } from "node:fs";
import { build } from "esbuild";

const pages = readdirSync("src/pages").filter((f) => f.endsWith(".ts")).map((f) => `src/pages/${f}`);
const common = { bundle: true, minify: true, format: "esm", target: "es2022", logLevel: "warning" };

await build({
  ...common,
  entryPoints: [...pages, "src/app.css"],
  outdir: "dist/app",
  entryNames: "[name]",
  chunkNames: "chunks/[name]-[hash]",
  splitting: true,
  sourcemap: "linked",
  metafile: true,
  write: true,
}).then(async (result) => {
  const { writeFileSync } = await import("node:fs");
  writeFileSync("dist/app/meta.json", JSON.stringify(result.metafile));
});

await build({ ...common, entryPoints: ["node_modules/jssip/lib/JsSIP.js"], outfile: "dist/jssip.min.js" });

// The click-to-call widget, loaded by other sites' pages: one classic script (an IIFE, no
// globals), its catalogues inside.
await build({ ...common, format: "iife", entryPoints: ["src/widget/widget.ts"], outfile: "dist/widget.js" });
