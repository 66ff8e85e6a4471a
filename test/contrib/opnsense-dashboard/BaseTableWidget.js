// A stand-in for OPNsense's BaseTableWidget (www/js/widgets/BaseTableWidget.js): the interface a widget
// sees (translations, tickTimeout, ajaxCall, createTable, updateTable with headerPosition 'left'), and the
// same contract for row contents: a row's cells are interpolated into markup, as OPNsense does.
class BaseTableWidget {
    constructor(config) {
        this.config = config;
        this.translations = {};
        this.tickTimeout = 10;
        this.tables = {};
    }

    setTranslations(translations) {
        this.translations = translations;
    }

    async ajaxCall(url) {
        const r = await fetch(url, { headers: { accept: 'application/json' } });
        if (!r.ok) throw { status: r.status };
        return r.json();
    }

    createTable(id, options) {
        const $table = $(`<div class="flextable-container" id="${id}" role="table"></div>`);
        this.tables[id] = { table: $table, options: { headerPosition: 'top', ...options } };
        return $table;
    }

    updateTable(id, data = []) {
        const $table = $(`#${id}`);
        $table.children('.flextable-row').remove();
        for (const [h, c] of data) {
            $table.append(`<div class="flextable-row"><div class="flex-cell first"><b>${h}</b></div><div class="flex-cell">${c}</div></div>`);
        }
    }
}
