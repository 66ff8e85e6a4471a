<?php

/*
 * etpro-telemetry: the API behind the ET Pro Telemetry dashboard widget,
 * GET /api/diagnostics/proofpoint_et/status.
 *
 * Runs the agent's `sensor-info` through configd (`configctl etpro_telemetry sensor.info`) and returns its JSON
 * line: {"status":"ok", sensor_status, event_received, last_rule_download, last_heartbeat, disable_date, ...},
 * {"status":"failed","response":"<why>"} or {"status":"unconfigured"}. Whatever else comes back (configd's
 * "Execute error", an agent that is not installed) is answered as "failed", never passed on raw.
 */

namespace OPNsense\Diagnostics\Api;

use OPNsense\Base\ApiControllerBase;
use OPNsense\Core\Backend;

class ProofpointEtController extends ApiControllerBase
{
    /**
     * license status of this sensor, as the telemetry service reports it
     * @return array
     */
    public function statusAction()
    {
        $this->sessionClose();
        $raw = trim((new Backend())->configdRun('etpro_telemetry sensor.info'));
        // The agent prints one JSON line; anything before it would be a warning on stdout.
        $lines = explode("\n", $raw);
        $answer = json_decode(end($lines), true);
        if (!is_array($answer) || !isset($answer['status']) || !is_string($answer['status'])) {
            return [
                'status' => 'failed',
                'response' => 'no answer from the etpro-telemetry agent (configctl etpro_telemetry sensor.info)'
            ];
        }
        return $answer;
    }
}
