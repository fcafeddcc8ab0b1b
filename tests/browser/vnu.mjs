// The Nu HTML Checker (vnu.jar, from the vnu-jar npm package) run on pages a test fetched.
// Every page goes to one java invocation: the JVM takes seconds to start, the checking of a
// page a few milliseconds.
//
//   const report = await checkPages(dir, [{ name: "home", html }]);
//   report.get("home").errors    // [{ line, column, message, extract }], [] when valid
//   report.get("home").warnings
//
// Environment: JAVA, the java program (default: java on the PATH, Debian's
// default-jre-headless); VNU_JAR, another vnu.jar than the npm package's.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);

export const vnuJar = process.env.VNU_JAR ?? String(require("vnu-jar"));
const java = process.env.JAVA ?? "java";
const checkDeadlineMs = 180_000;

// Writes each page { name, html } to `dir` as NAME.html and checks them all. Resolves to a
// Map from name to { file, errors, warnings }; rejects when the checker could not run.
export async function checkPages(dir, pages) {
    const report = new Map();
    const byUrl = new Map();
    for (const page of pages) {
        if (!/^[a-z0-9-]+$/.test(page.name)) throw new Error(`bad page name ${page.name}`);
        const file = join(dir, `${page.name}.html`);
        writeFileSync(file, page.html);
        const entry = { file, errors: [], warnings: [] };
        report.set(page.name, entry);
        byUrl.set(pathToFileURL(file).href, entry);
    }
    const stdout = await new Promise((resolve, reject) => {
        const args = ["-jar", vnuJar, "--format", "json", "--stdout", "--exit-zero-always"];
        args.push(...[...report.values()].map((entry) => entry.file));
        execFile(
            java,
            args,
            { timeout: checkDeadlineMs, maxBuffer: 64 * 1024 * 1024 },
            (error, out, err) => {
                if (error) reject(new Error(`${java} -jar ${vnuJar} failed: ${error.message}\n${err}`));
                else resolve(out);
            }
        );
    });
    const { messages } = JSON.parse(stdout);
    for (const message of messages) {
        // vnu names files file:/tmp/x.html; pathToFileURL gives file:///tmp/x.html.
        const url = (message.url ?? "").replace(/^file:\/(?!\/)/, "file:///");
        const entry = byUrl.get(url);
        const found = {
            line: message.lastLine ?? message.firstLine,
            column: message.lastColumn ?? message.firstColumn,
            message: message.message,
            extract: message.extract ?? "",
        };
        if (!entry) {
            // A message about no page (the checker itself failing on a file): an error of all.
            for (const each of report.values()) each.errors.push(found);
        } else if (message.type === "error" || message.type === "non-document-error") {
            entry.errors.push(found);
        } else if (message.type === "info" && message.subType === "warning") {
            entry.warnings.push(found);
        }
    }
    return report;
}

// "line:column: message" and the extract, one message a line, for a test's failure message.
export function describeMessages(name, messages) {
    return messages
        .map((m) => `${name}.html:${m.line}:${m.column}: ${m.message}\n      ${m.extract.replace(/\n/g, "⏎")}`)
        .join("\n");
}
