import { describe, expect, it } from "vitest";
import {
  DeviceFilterSyntaxError,
  evalDeviceFilter,
  parseDeviceFilter,
  type RuleNode,
} from "../../src/ca/device-filter.js";
import { NO, type SignInDevice, YES } from "../../src/ca/types.js";

const device = (attributes: SignInDevice["attributes"]): SignInDevice => ({ attributes });
const saw = device({ model: "SAW-2000", manufacturer: "Contoso", trustType: "ServerAD", isCompliant: true });
const laptop = device({
  model: "Latitude 7440",
  manufacturer: "Dell",
  trustType: "AzureAD",
  isCompliant: false,
});

/** Rules written with hyphenated operators, then the same rules without the hyphen in mixed case. */
const SPELLINGS: Array<[string, string]> = [
  ['device.model -eq "SAW-2000"', 'device.model eq "SAW-2000"'],
  ['device.model -ne "SAW-2000"', 'device.model NE "SAW-2000"'],
  ['device.model -startsWith "saw"', 'device.model startswith "saw"'],
  ['device.model -notStartsWith "saw"', 'device.model NotStartsWith "saw"'],
  ['device.model -endsWith "2000"', 'device.model endsWith "2000"'],
  ['device.model -notEndsWith "2000"', 'device.model notendswith "2000"'],
  ['device.model -contains "W-2"', 'device.model Contains "W-2"'],
  ['device.model -notContains "W-2"', 'device.model notContains "W-2"'],
  ['device.manufacturer -in ["Contoso", "Fabrikam"]', 'device.manufacturer IN ["Contoso", "Fabrikam"]'],
  ['device.manufacturer -notIn ["Contoso", "Fabrikam"]', 'device.manufacturer notin ["Contoso", "Fabrikam"]'],
  ['device.model -match "^saw-\\d+$"', 'device.model Match "^saw-\\d+$"'],
  ['device.model -notMatch "^saw-\\d+$"', 'device.model notmatch "^saw-\\d+$"'],
  [
    '(device.trustType -eq "ServerAD" -or device.isCompliant -eq True) -and device.model -notContains "VM"',
    '(device.trustType eq "ServerAD" OR device.isCompliant Eq True) and device.model NotContains "VM"',
  ],
  ['-not (device.model -eq "SAW-2000")', 'NOT (device.model eq "SAW-2000")'],
  [
    'device.model -eq "x" -or device.model -eq "SAW-2000" -and device.isCompliant -eq true',
    'device.model -eq "x" or device.model eq "SAW-2000" -and device.isCompliant eq true',
  ],
];

describe("device filter operators, with or without the hyphen, in any case", () => {
  for (const [hyphenated, bare] of SPELLINGS) {
    it(bare, () => {
      const a: RuleNode = parseDeviceFilter(hyphenated);
      expect(parseDeviceFilter(bare)).toEqual(a);
      for (const d of [saw, laptop, null]) {
        expect(evalDeviceFilter(parseDeviceFilter(bare), d)).toBe(evalDeviceFilter(a, d));
      }
    });
  }

  it("evaluates the bare spelling as Microsoft documents (positive false, negative true on null)", () => {
    const rule = parseDeviceFilter('device.model startswith "saw" and device.manufacturer notin ["Dell"]');
    expect(evalDeviceFilter(rule, saw)).toBe(YES);
    expect(evalDeviceFilter(rule, laptop)).toBe(NO);
    expect(evalDeviceFilter(parseDeviceFilter('device.model ne "SAW-2000"'), null)).toBe(YES);
    expect(evalDeviceFilter(parseDeviceFilter('device.model eq "SAW-2000"'), null)).toBe(NO);
    expect(evalDeviceFilter(parseDeviceFilter('device.model eq "x" or device.model eq "y"'), laptop)).toBe(
      NO,
    );
  });

  it("and binds tighter than or in both spellings", () => {
    // Model x, not compliant: x or (SAW and compliant) holds, (x or SAW) and compliant does not.
    const odd = device({ model: "x", isCompliant: false });
    expect(evalDeviceFilter(parseDeviceFilter(SPELLINGS.at(-1)![1]), odd)).toBe(YES);
  });

  it("-match runs on the linear-time engine, case-insensitively", () => {
    const evil = parseDeviceFilter('device.displayName match "^(a+)+$"');
    const started = performance.now();
    expect(evalDeviceFilter(evil, device({ displayName: `${"a".repeat(50_000)}!` }))).toBe(NO);
    expect(performance.now() - started).toBeLessThan(2_000);
    expect(evalDeviceFilter(evil, device({ displayName: "AAAA" }))).toBe(YES);
    expect(evalDeviceFilter(parseDeviceFilter('device.model -match "^SAW"'), saw)).toBe(YES);
    expect(evalDeviceFilter(parseDeviceFilter('device.model -notMatch "^SAW"'), null)).toBe(YES);
  });

  it("refuses what it does not understand, so the policy's device condition stays MAYBE", () => {
    expect(() => parseDeviceFilter('device.model -like "x*"')).toThrow(DeviceFilterSyntaxError);
    expect(() => parseDeviceFilter('device.model -match "(a)\\\\1"')).toThrow(/invalid escape sequence/);
    expect(() => parseDeviceFilter('device.model -eq "a" xor device.model -eq "b"')).toThrow(
      DeviceFilterSyntaxError,
    );
    expect(() => parseDeviceFilter('device.model --eq "a"')).toThrow(/unknown operator --eq/);
  });
});
