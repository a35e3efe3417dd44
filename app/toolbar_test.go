package app

import (
	"testing"

	"fyne.io/fyne/v2/test"
)

func TestToolbar(t *testing.T) {
	test.NewTempApp(t)
	var started, stopped int
	var exported []string
	tb := newToolbarView(toolbarActions{
		start:  func() { started++ },
		stop:   func() { stopped++ },
		export: func(kind string) { exported = append(exported, kind) },
	})
	for _, c := range []struct {
		state                       toolbarState
		start, stop, exportsEnabled bool
	}{
		{toolbarState{}, false, false, false},
		{toolbarState{canStart: true}, true, false, false},
		{toolbarState{running: true, canStart: true, canExport: true}, false, true, true},
		{toolbarState{canStart: true, canExport: true}, true, false, true},
	} {
		tb.update(c.state)
		if tb.start.Disabled() == c.start || tb.stop.Disabled() == c.stop ||
			tb.exportCSV.Disabled() == c.exportsEnabled || tb.exportJSON.Disabled() == c.exportsEnabled {
			t.Errorf("%+v: start %v stop %v export %v", c.state, !tb.start.Disabled(), !tb.stop.Disabled(), !tb.exportCSV.Disabled())
		}
	}
	test.Tap(tb.start)
	test.Tap(tb.exportCSV)
	test.Tap(tb.exportJSON)
	tb.update(toolbarState{running: true})
	test.Tap(tb.stop)
	if started != 1 || stopped != 1 || len(exported) != 2 || exported[0] != "csv" || exported[1] != "json" {
		t.Errorf("started %d, stopped %d, exported %v", started, stopped, exported)
	}
}
