// Builds a SCORM package with simple-scorm-packager: node build.js <version> <source dir> <output dir>
// (version: "1.2" or "2004 4th Edition"); prints the path of the zip it wrote.
const fs = require("fs");
const path = require("path");
const scopackager = require("simple-scorm-packager");

const [version, source, outputFolder] = process.argv.slice(2);
scopackager(
  {
    version,
    organization: "DX test",
    title: `SCO ${version}`,
    language: "ja",
    masteryScore: 80,
    startingPage: "index.html",
    source,
    package: { version: "1.0.0", zip: true, outputFolder, date: "2026-01-01" },
  },
  () => {
    const zips = fs.readdirSync(outputFolder).filter((name) => name.endsWith(".zip"));
    process.stdout.write(path.join(outputFolder, zips[0]) + "\n");
  },
);
