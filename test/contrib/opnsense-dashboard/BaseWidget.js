// A stand-in for OPNsense's www/js/widgets/BaseWidget.js (core stable/25.7), written for this test: what a
// widget inherits. Like the real file it is a classic script (dashboard.volt loads it with <script src>), so
// `BaseWidget` is a global binding, and it exports nothing: a widget module that imports from it fails.
// Same defaults (tickTimeout 10 s, translations {}), same setters, and ajaxCall(url) resolving with the JSON
// body and rejecting with { xhr, textStatus, errorThrown } on an HTTP error, a body that is not JSON, or a
// timeout after its retries (the real one does this through $.ajax with dataType 'json', 5 s, 3 retries).
class BaseWidget {
    constructor(config) {
        this.config = config;
        this.id = null;
        this.translations = {};
        this.tickTimeout = 10;
        this.resizeHandles = 'all';
        this.cachedData = {};
        this.titleVisible = true;
        this.timeoutPeriod = 5000;
        this.retryLimit = 3;
        this.configurable = false;
    }

    getResizeHandles() { return this.resizeHandles; }
    setId(id) { this.id = id; }
    setTranslations(translations) { this.translations = translations; }
    isConfigurable() { return this.configurable; }
    isTitleVisible() { return this.titleVisible; }
    getGridOptions() { return {}; }
    getMarkup() { return $(''); }
    async onMarkupRendered() { return null; }
    onWidgetResize(elem, width, height) { return false; }
    async onWidgetTick() { return null; }
    onWidgetClose() {}
    onVisibilityChanged(visible) {}
    async getWidgetOptions() { return {}; }

    async ajaxCall(url, data = {}, method = 'GET') {
        for (let attempt = 0; ; attempt++) {
            const abort = new AbortController();
            const timer = setTimeout(() => abort.abort(), this.timeoutPeriod);
            try {
                const r = await fetch(url, { method, signal: abort.signal, headers: { accept: 'application/json' } });
                const text = await r.text();
                if (!r.ok) throw { xhr: { status: r.status, responseText: text }, textStatus: 'error', errorThrown: r.statusText };
                try {
                    return JSON.parse(text);
                } catch (e) {
                    throw { xhr: { status: r.status, responseText: text }, textStatus: 'parsererror', errorThrown: e };
                }
            } catch (e) {
                if (e?.name === 'AbortError') {
                    if (attempt < this.retryLimit) continue;
                    throw { xhr: { status: 0 }, textStatus: 'timeout', errorThrown: 'timeout' };
                }
                if (e instanceof TypeError) throw { xhr: { status: 0 }, textStatus: 'error', errorThrown: e.message };
                throw e;
            } finally {
                clearTimeout(timer);
            }
        }
    }

    dataChanged(id, data) {
        const changed = JSON.stringify(this.cachedData[id]) !== JSON.stringify(data);
        this.cachedData[id] = data;
        return changed;
    }

    sanitizeSelector(selector) {
        return String(selector).replace(/[:/.=+]/g, '__');
    }
}
