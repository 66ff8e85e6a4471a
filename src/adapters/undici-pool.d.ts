// undici's Pool module on its own (it has no exports map): ./TelemetryApi.ts loads it without the package's index.
declare module "undici/lib/dispatcher/pool.js" {
  import type { Pool } from "undici"
  const PoolClass: typeof Pool
  export default PoolClass
}
