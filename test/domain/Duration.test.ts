import { describe, expect, it } from "@effect/vitest"
import { formatDuration, parseDuration } from "../../src/domain/Duration.js"

describe("durations (SPEC section 10)", () => {
  it.each([
    ["90s", 90_000],
    ["30m", 30 * 60_000],
    ["1h", 3_600_000],
    ["2d", 2 * 86_400_000],
    [" 1h ", 3_600_000],
    ["0s", 0]
  ])("%j is %d ms", (s, ms) => {
    expect(parseDuration(s)).toBe(ms)
  })

  it.each(["", "1", "h", "1.5h", "-1h", "1w", "1 h", "1H", "all", "1h30m"])("rejects %j", (s) => {
    expect(parseDuration(s)).toBeUndefined()
  })

  it("formats in the largest whole unit", () => {
    expect(formatDuration(2 * 86_400_000)).toBe("2d")
    expect(formatDuration(3_600_000)).toBe("1h")
    expect(formatDuration(90 * 60_000)).toBe("90m")
    expect(formatDuration(90_000)).toBe("90s")
  })
})
