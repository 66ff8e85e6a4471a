/**
 * The progress line of a long run (send-events with a backlog, dump into a file): one line on stderr,
 * rewritten in place at most 4 times a second (Effect's Clock), only when stderr is a terminal, and removed
 * before the final summary or an error. A cosmetic: a program that is given no layer is silent.
 */
import { Clock, Context, Effect, Layer } from "effect"
import { PROGRESS_EVERY_MS, type ProgressCount, progressLine } from "../domain/ProgressLine.js"
import { Output } from "./Output.js"

export interface ProgressService {
  /** Draws the count if the last line is at least 250 ms old; `count` is only called then. */
  readonly update: (count: () => ProgressCount) => Effect.Effect<void>
  /** Removes the line; the next update starts a new run (its rate counted from then). */
  readonly clear: Effect.Effect<void>
}

/** Where a line goes: drawn over the previous one, or removed. */
export interface ProgressSink {
  readonly draw: (line: string) => Effect.Effect<void>
  readonly clear: Effect.Effect<void>
}

const silent: ProgressService = { update: () => Effect.void, clear: Effect.void }

/** Silent unless a layer says otherwise: programs and tests that do not care need not provide one. */
export class Progress extends Context.Reference<Progress>()("etpro/Progress", { defaultValue: () => silent }) {}

/**
 * Throttles and formats on the Clock; the first line comes `everyMs` [250] after the first update, so short
 * runs show none.
 */
export const make = (sink: ProgressSink, everyMs = PROGRESS_EVERY_MS): ProgressService => {
  let startedAt: number | undefined
  let lastAt = 0
  let shown = false
  return {
    update: (count) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        if (startedAt === undefined) {
          startedAt = lastAt = now
          return Effect.void
        }
        if (now - lastAt < everyMs) return Effect.void
        lastAt = now
        shown = true
        return sink.draw(progressLine(count(), now - startedAt))
      }),
    clear: Effect.suspend(() => {
      startedAt = undefined
      if (!shown) return Effect.void
      shown = false
      return sink.clear
    })
  }
}

/** On a terminal, through Output (whose messages remove the line first, so none is written over); else silent. */
export const layer = Layer.effect(
  Progress,
  Effect.map(Output, (out) => (out.isTTY ? make({ draw: out.progress, clear: out.progress("") }) : silent))
)

export const layerSilent = Layer.succeed(Progress, silent)

/** Records what would be drawn: each line, and `(cleared)` where it was removed; `everyMs` 0: every update. */
export const layerTest = (drawn: Array<string>, everyMs = PROGRESS_EVERY_MS) =>
  Layer.succeed(
    Progress,
    make({ draw: (l) => Effect.sync(() => void drawn.push(l)), clear: Effect.sync(() => void drawn.push("(cleared)")) }, everyMs)
  )
