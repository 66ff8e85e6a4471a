// A stand-in for OPNsense's www/js/widgets/BaseTableWidget.js (core stable/25.7), written for this test. Like
// the real file it is a classic script loaded after BaseWidget.js, `class BaseTableWidget extends BaseWidget`,
// a global binding that exports nothing. The contract a widget relies on, kept here:
// - createTable(id, { headerPosition: 'left' }) returns a `.flextable-container` with that id, not yet in the
//   page (the widget manager serialises getMarkup() into the grid);
// - updateTable(id, rows) finds the table by id in the page, removes its rows and appends one `.flextable-row`
//   per [header, content] pair with both interpolated into markup (so a widget must only pass its own markup),
//   then applies the style set of the current width;
// - under headerBreakpoint (450 px) the cells stack (width 100 %), at or above it they sit side by side (50 %);
//   onWidgetResize(elem, width) switches between the two.
class BaseTableWidget extends BaseWidget {
    constructor(config) {
        super(config);
        this.tables = {};
        this.curSize = null;
    }

    createTable(id, options) {
        const opts = { headerPosition: 'top', rotation: false, headerBreakpoint: 450, ...options };
        this.sizeStates = {
            0: { '.flextable-row': { padding: '' }, '.flex-cell': { width: '100%' } },
            [opts.headerBreakpoint]: {
                '.flextable-row': { padding: '0.5em 0.5em' },
                '.flex-cell': { width: () => (opts.headerPosition === 'left' ? 'calc(100% / 2)' : '') }
            }
        };
        this.widths = Object.keys(this.sizeStates).sort();
        const $table = opts.headerPosition === 'top'
            ? $(`<div class="grid-table" id="${id}" role="table"></div>`)
            : $(`<div class="flextable-container" id="${id}" role="table"></div>`);
        this.tables[id] = { table: $table, options: opts, data: [] };
        return $table;
    }

    updateTable(id, data = []) {
        const $table = $(`#${id}`);
        const options = this.tables[id].options;
        $table.children('.flextable-row').remove();
        this.tables[id].data = data;
        for (const row of data) {
            if (options.headerPosition !== 'left' || row.length !== 2) continue;
            const [h, c] = row;
            const $row = $('<div class="flextable-row"></div>');
            $row.append(`
                <div class="flex-cell first"><b>${h}</b></div>
                <div class="flex-cell">${c}</div>
            `);
            $table.append($row);
            $row.css({ opacity: 1, 'background-color': 'initial' });
        }
        for (const [selector, styles] of Object.entries(this.sizeStates[this.curSize ?? 0])) {
            $table.find(selector).css(styles);
        }
    }

    onWidgetResize(elem, width, height) {
        let size = this.widths[0];
        for (const w of this.widths) if (Number(w) <= width) size = w;
        if (size === this.curSize) return false;
        for (const [selector, styles] of Object.entries(this.sizeStates[size])) $(elem).find(selector).css(styles);
        this.curSize = size;
        return true;
    }
}
