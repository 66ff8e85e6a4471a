/**
 * Which files make up an eve log directory (SPEC section 4): `eve.json` and its rotated siblings `eve.json.N`,
 * a higher N older.
 */
const ROTATED = /^eve\.json(?:\.(\d+))?$/

export const isEveFileName = (name: string): boolean => ROTATED.test(name)

/** Oldest first: eve.json.10, ..., eve.json.2, eve.json.1, eve.json; other names left out. */
export const orderRotated = (names: ReadonlyArray<string>): Array<string> =>
  names
    .flatMap((n) => {
      const m = ROTATED.exec(n)
      return m === null ? [] : [{ n, age: m[1] === undefined ? -1 : Number(m[1]) }]
    })
    .sort((a, b) => b.age - a.age)
    .map((x) => x.n)
