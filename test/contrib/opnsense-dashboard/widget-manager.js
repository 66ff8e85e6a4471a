// A stand-in for OPNsense's widget manager (www/js/opnsense_widget_manager.js, class WidgetManager, core
// stable/25.7), written for this test and kept to the steps a widget lives through there:
// 1. GET /api/core/dashboard/get_dashboard: { modules: [{ id, module, link, translations }], dashboard: {
//    widgets: [{ id, ... }] } }, as Core/Api/DashboardController.php builds it from the widgets' Metadata XML;
// 2. each module loaded with `import('/ui/js/widgets/' + module + '?t=' + Date.now())` and used through its
//    default export (an import that fails is logged "Could not import module" and the widget is not loaded);
// 3. `new widgetClass(config)`, setId(id), setTranslations(translations), then getMarkup() placed in the
//    widget's panel (title from translations.title) as serialised HTML, as gridstack receives it; a widget
//    that could not be made shows "Failed to load widget";
// 4. await onMarkupRendered(), a ResizeObserver on the panel calling onWidgetResize(elem, width, height),
//    then onWidgetTick() at once and every tickTimeout seconds; a tick that throws shows the error state.
class WidgetManager {
    constructor(gettext = {}) {
        this.gettext = { failed: 'Failed to load widget', ...gettext };
        this.loadedModules = {};
        this.widgetTranslations = {};
        this.widgetClasses = {};
        this.errors = {};
    }

    async initialize() {
        const data = await (await fetch('/api/core/dashboard/get_dashboard')).json();
        await Promise.all(data.modules.map(async item => {
            try {
                const mod = await import('/ui/js/widgets/' + item.module + '?t=' + Date.now());
                this.loadedModules[item.id] = mod.default;
            } catch (error) {
                console.error('Could not import module', item.module, error);
            } finally {
                this.widgetTranslations[item.id] = item.translations;
            }
        }));
        for (const config of data.dashboard.widgets) {
            try {
                this.create(config.id, config);
            } catch (error) {
                console.error(error);
                $('.grid-stack').append(this.panel(config.id, `<div class="widget-error">${this.gettext.failed}</div>`));
            }
        }
        await Promise.all(Object.values(this.widgetClasses).map(w => this.start(w)));
    }

    create(id, config) {
        if (!(id in this.loadedModules)) throw new Error('Widget not loaded');
        const widget = new this.loadedModules[id]({ callbacks: { updateGrid: () => {} }, ...config });
        widget.setId(id);
        widget.setTranslations(this.widgetTranslations[id]);
        this.widgetClasses[id] = widget;
        const $panel = this.panel(id, widget.getMarkup());
        // gridstack gets the panel as HTML text: nothing but markup survives getMarkup().
        $('.grid-stack').append(`<div class="grid-stack-item" gs-id="${id}"><div class="grid-stack-item-content">${$panel.prop('outerHTML')}</div></div>`);
    }

    panel(id, content) {
        const title = this.widgetTranslations[id]?.title ?? id;
        const $panel = $(`<div class="widget widget-${id}"></div>`);
        const $content = $('<div class="widget-content"></div>');
        $content.append(`<div class="widget-header"><div id="${id}-title" class="widget-title"><b>${title}</b></div></div>`);
        $content.append('<div class="panel-divider"><div class="line"></div></div>');
        $content.append(content);
        $panel.append($content);
        return $panel;
    }

    async start(widget) {
        await widget.onMarkupRendered();
        const elem = document.querySelector(`[gs-id="${widget.id}"]`);
        const panel = document.querySelector(`.widget-${widget.id}`);
        widget.onWidgetResize(elem, panel.getBoundingClientRect().width, panel.getBoundingClientRect().height);
        new ResizeObserver(entries => {
            for (const e of entries) widget.onWidgetResize(elem, e.contentRect.width, e.contentRect.height);
        }).observe(panel);
        const tick = async () => {
            try {
                await widget.onWidgetTick();
                this.errors[widget.id] = null;
            } catch (error) {
                this.errors[widget.id] = error;
                console.error('widget tick failed', widget.id, error);
            }
        };
        await tick();
        setInterval(tick, widget.tickTimeout * 1000);
    }
}
