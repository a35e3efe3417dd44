package settings

import (
	"fmt"
	"strings"
	"time"
)

// The docs' table of settings (docs/settings.md) is generated from Table
// between these lines; TestDocsTable checks it and -update rewrites it.
const (
	DocsBegin = "<!-- settings table: generated from engine/settings; do not edit by hand -->"
	DocsEnd   = "<!-- end of settings table -->"
)

// Markdown is the docs' table: each setting's flag, config key and
// environment variable, default and meaning.
func Markdown() string {
	var b strings.Builder
	b.WriteString("| flag | config key | environment | default | meaning | in the app |\n|---|---|---|---|---|---|\n")
	for _, row := range Table {
		flag := ""
		if row.Flag != "" {
			flag = "`--" + row.Flag + "`"
		}
		meaning := row.Help
		if row.See != "" {
			meaning += " ([more](" + row.See + "))"
		}
		if row.Result {
			meaning += " *(changes what a scan finds)*"
		}
		app := ""
		switch row.App.Kind {
		case Check:
			app = "check box “" + row.App.Label + "”"
		case Custom:
			app = "Settings panel"
		}
		fmt.Fprintf(&b, "| %s | `%s` | `%s` | %s | %s | %s |\n", flag, row.Key, EnvVar(row.Key), row.docsDefault(), strings.ReplaceAll(meaning, "|", `\|`), app)
	}
	return b.String()
}

// docsDefault words the default for the docs.
func (row Setting) docsDefault() string {
	if row.DefaultText != "" {
		return row.DefaultText
	}
	switch d := row.Default.(type) {
	case bool:
		if d {
			return "on"
		}
		return "off"
	case time.Duration:
		switch {
		case d%time.Minute == 0:
			return fmt.Sprintf("%dm", d/time.Minute)
		case d%time.Second == 0:
			return fmt.Sprintf("%ds", d/time.Second)
		}
		return d.String()
	case string:
		if d == "" {
			return "none"
		}
		return "`" + d + "`"
	default:
		return fmt.Sprint(d)
	}
}

// Replace returns doc with the text between DocsBegin and DocsEnd
// replaced by table; ok is false when doc lacks the markers.
func Replace(doc, table string) (string, bool) {
	begin := strings.Index(doc, DocsBegin)
	end := strings.Index(doc, DocsEnd)
	if begin < 0 || end < begin {
		return doc, false
	}
	return doc[:begin+len(DocsBegin)] + "\n" + table + doc[end:], true
}
