/*
 * ET Pro Telemetry dashboard widget for the etpro-telemetry agent.
 *
 * Shows the sensor's license status as the telemetry service reports it (ACTIVE, DORMANT, DISABLED; the
 * service may send any case), its dates and which ruleset is served, or one error row when the agent
 * cannot reach the service or has no token. Data: /api/diagnostics/proofpoint_et/status, which runs
 * `etpro-telemetry sensor-info` through configd and returns its JSON line.
 *
 * Every value that comes from the service is written with .text(): the table rows themselves only ever
 * hold this file's own markup and the metadata's translations.
 */

// No import: OPNsense's dashboard.volt loads BaseWidget.js and BaseTableWidget.js as classic scripts, so
// BaseTableWidget is a global binding; neither file exports anything (core stable/25.7).

const FIELDS = ['sensor_status', 'event_received', 'last_rule_download', 'last_heartbeat', 'disable_date', 'ruleset'];
const TONE = { ACTIVE: 'text-success', DORMANT: 'text-warning', DISABLED: 'text-danger' };
const TONES = 'text-success text-warning text-danger text-muted';

export default class ETProTelemetry extends BaseTableWidget {
    constructor(config) {
        super(config);
        // sensor-info asks the service each time: every 5 minutes is plenty for a license status.
        this.tickTimeout = 300;
        this.tableId = 'etpro-telemetry-table';
    }

    label(key) {
        return this.translations[key] ?? key;
    }

    cellId(field) {
        return `etpro_telemetry_${field}`;
    }

    getMarkup() {
        const $container = $('<div></div>');
        $container.append(this.createTable(this.tableId, { headerPosition: 'left' }));
        return $container;
    }

    async onMarkupRendered() {
        const rows = FIELDS.map(f => [this.label(f), `<span id="${this.cellId(f)}">-</span>`]);
        rows.push([this.label('error'), `<span id="${this.cellId('error')}" class="text-danger"></span>`]);
        this.updateTable(this.tableId, rows);
        this.showError(null);
    }

    async onWidgetTick() {
        let data;
        try {
            data = await this.ajaxCall('/api/diagnostics/proofpoint_et/status');
        } catch (e) {
            this.render(null, this.label('no_agent'));
            return;
        }
        if (data === null || typeof data !== 'object') {
            this.render(null, this.label('no_agent'));
        } else if (data.status === 'ok') {
            this.render(data, null);
        } else if (data.status === 'failed') {
            const why = typeof data.response === 'string' && data.response.trim() !== '' ? `: ${data.response.trim()}` : '';
            this.render(null, `${this.label('unreachable')}${why}`);
        } else if (data.status === 'unconfigured') {
            this.render(null, this.label('unconfigured'));
        } else {
            this.render(null, this.label('no_agent'));
        }
    }

    /** Fills every cell (text only) from a sensor-info answer, or '-' with an error message. */
    render(data, error) {
        const status = data !== null && typeof data.sensor_status === 'string' ? data.sensor_status.trim().toUpperCase() : '';
        const values = {
            sensor_status: status === '' ? '-' : status,
            event_received: this.formatDate(data?.event_received),
            last_rule_download: this.formatDate(data?.last_rule_download),
            last_heartbeat: this.formatDate(data?.last_heartbeat),
            disable_date: this.formatDate(data?.disable_date),
            ruleset: status === 'DISABLED' ? 'ET Open' : (status === 'ACTIVE' || status === 'DORMANT' ? 'ET Pro' : '-'),
        };
        for (const f of FIELDS) {
            $(`#${this.cellId(f)}`).text(values[f]);
        }
        $(`#${this.cellId('sensor_status')}`).removeClass(TONES).addClass(TONE[status] ?? 'text-muted');
        this.showError(error);
    }

    showError(message) {
        const $cell = $(`#${this.cellId('error')}`);
        $cell.text(message ?? '');
        $cell.closest('.flextable-row').css('display', message === null ? 'none' : '');
    }

    /** ISO 8601 from the service as "YYYY-MM-DD HH:MM UTC"; anything else shown as it came, as text. */
    formatDate(value) {
        if (typeof value !== 'string' || value.trim() === '') return '-';
        // Only ISO 8601: browsers' Date() also "parses" arbitrary text (Chromium reads "<img x=1>" as 2001).
        const d = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value.trim()) ? new Date(value.trim()) : new Date(NaN);
        if (Number.isNaN(d.getTime())) return value.trim();
        return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
    }
}
