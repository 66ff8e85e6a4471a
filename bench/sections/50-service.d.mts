// Types for test/e2e/Load.test.ts, which runs this section's harness.
export interface ServiceLoadFigures {
  readonly agents: number
  readonly events: number
  readonly stored: number
  readonly perSensor: ReadonlyArray<number>
  readonly failed: number
  readonly violations: number
  readonly seconds: number
  readonly eventsPerSecond: number
  readonly serviceRssIdleMiB: number | null
  readonly serviceRssPeakMiB: number | null
  readonly serviceRssFirstHalfMaxMiB: number | null
  readonly serviceRssSecondHalfMaxMiB: number | null
}
export declare function defaultCli(): Array<string>
export declare function serviceLoad(opts?: {
  cli?: ReadonlyArray<string>
  agents?: number
  events?: number
  connections?: number
  serviceNodeArgs?: ReadonlyArray<string>
  onServiceStart?: (pid: number) => void
  log?: (line: string) => void
}): Promise<ServiceLoadFigures>
export declare function loadRun(opts?: {
  cli?: ReadonlyArray<string>
  agents?: number
  events?: number
  log?: (line: string) => void
}): Promise<Record<string, unknown>>
export declare function run(log?: (line: string) => void): Promise<Record<string, unknown>>
