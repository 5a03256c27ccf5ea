package config

import (
	"reflect"
	"strings"
	"testing"
)

// TestEveryChangeRuleIsValidated: each change rule of the alerts section,
// given thresholds that cannot work, is refused with its own key — so a
// rule added to AlertConfig cannot be left out of Validate.
func TestEveryChangeRuleIsValidated(t *testing.T) {
	n := 0
	for _, f := range yamlFields(reflect.TypeFor[AlertConfig]()) {
		if f.f.Type != reflect.TypeFor[ChangeRule]() {
			continue
		}
		n++
		for what, bad := range map[string]ChangeRule{
			"open_below": {OpenBelow: 1.5, CloseAt: 2},
			"close_at":   {OpenBelow: 0.5, CloseAt: 0.25},
		} {
			c := DefaultAlertConfig()
			reflect.ValueOf(&c).Elem().FieldByIndex(f.index).Set(reflect.ValueOf(bad))
			err := c.Validate()
			if want := "alerts." + f.key + "." + what; err == nil || !strings.Contains(err.Error(), want) {
				t.Errorf("%s %+v: err = %v, want one naming %s", f.key, bad, err, want)
			}
		}
	}
	if n != 7 {
		t.Errorf("AlertConfig has %d change rules, the test knows 7: check Validate names each", n)
	}
}
