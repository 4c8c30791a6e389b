/**
 * The package's metadata says only what is true: the licence file matches `license`, the changelog
 * exists in Keep a Changelog form, and no field points at an address the project does not have.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const root = new URL("../../", import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), "utf8");
const pkg = JSON.parse(read("package.json")) as Record<string, unknown>;

describe("package metadata", () => {
  it("is MIT, with the licence text and its holder", () => {
    expect(pkg.license).toBe("MIT");
    const license = read("LICENSE");
    expect(license.split("\n")[0]).toBe("MIT License");
    expect(license).toContain("Copyright (c) 2026 Breakglass contributors");
    expect(pkg.files).toEqual(expect.arrayContaining(["LICENSE", "CHANGELOG.md", "README.md"]));
  });

  it("names no repository, homepage or bug tracker: the project has no public address yet", () => {
    for (const key of ["repository", "homepage", "bugs", "funding"]) expect(pkg).not.toHaveProperty(key);
    expect(JSON.stringify(pkg)).not.toMatch(/https?:\/\//);
    expect((pkg.keywords as string[]).length).toBeGreaterThan(3);
  });

  it("keeps a changelog with an Unreleased section", () => {
    const changelog = read("CHANGELOG.md");
    expect(changelog.startsWith("# Changelog\n")).toBe(true);
    expect(changelog).toMatch(/^## \[Unreleased\]$/m);
    expect(changelog).toMatch(/^### Added$/m);
  });
});
