import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    globalSetup: ["test/support/globalBuild.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // 2 cores here: e2e tests start child processes and servers of their own.
    maxWorkers: 2,
    minWorkers: 1
  }
})
