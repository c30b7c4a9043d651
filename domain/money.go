package domain

import (
	"fmt"
	"strconv"
	"strings"

	"golang.org/x/text/currency"
)

// Money is an amount in a currency, kept in the currency's minor units (cents,
// centavos; yen have none) so that fees compare and sum exactly.
type Money struct {
	Currency   string `json:"currency" waymark:"code"` // ISO 4217, e.g. "MXN"
	MinorUnits int64  `json:"minorUnits"`              // 3500 is MXN 35.00
}

// MaxFeeUnits bounds a fee in major units: a monthly fee above a million is a typo.
const MaxFeeUnits = 1_000_000

// ParseMoney reads an amount written as a decimal ("35", "35.5", "35.00") in currency
// (ISO 4217). It allows no more decimals than the currency has, and no negative
// amounts.
func ParseMoney(field, cur, amount string) (Money, error) {
	unit, err := currency.ParseISO(cur)
	if err != nil || cur != strings.ToUpper(cur) || cur == "XXX" || cur == "XTS" {
		return Money{}, invalid(field+".currency", fmt.Sprintf("%q is not an ISO 4217 currency code such as MXN, USD or GBP", clip(cur)))
	}
	scale, _ := currency.Standard.Rounding(unit)
	whole, frac, hasFrac := strings.Cut(strings.TrimSpace(amount), ".")
	bad := func(why string) (Money, error) {
		return Money{}, invalid(field+".amount", fmt.Sprintf("%s (got %q)", why, clip(amount)))
	}
	if whole == "" || strings.ContainsFunc(whole, notDigit) || (hasFrac && (frac == "" || strings.ContainsFunc(frac, notDigit))) {
		return bad("an amount is written with digits and an optional decimal point, e.g. 35.00")
	}
	if len(frac) > scale {
		return bad(fmt.Sprintf("%s has %d decimal places", unit, scale))
	}
	if len(whole) > 7 {
		return bad(fmt.Sprintf("a fee is at most %d", MaxFeeUnits))
	}
	units, _ := strconv.ParseInt(whole, 10, 64)
	if units > MaxFeeUnits {
		return bad(fmt.Sprintf("a fee is at most %d", MaxFeeUnits))
	}
	minor := units
	for i := 0; i < scale; i++ {
		minor *= 10
	}
	if frac != "" {
		f, _ := strconv.ParseInt(frac+strings.Repeat("0", scale-len(frac)), 10, 64)
		minor += f
	}
	return Money{Currency: unit.String(), MinorUnits: minor}, nil
}

// Amount writes the money's amount as a decimal with the currency's decimals.
func (m Money) Amount() string {
	unit, err := currency.ParseISO(m.Currency)
	scale := 2
	if err == nil {
		scale, _ = currency.Standard.Rounding(unit)
	}
	if scale == 0 {
		return strconv.FormatInt(m.MinorUnits, 10)
	}
	div := int64(1)
	for i := 0; i < scale; i++ {
		div *= 10
	}
	return fmt.Sprintf("%d.%0*d", m.MinorUnits/div, scale, m.MinorUnits%div)
}

// IsZero reports whether no money was given.
func (m Money) IsZero() bool { return m == Money{} }

func notDigit(r rune) bool { return r < '0' || r > '9' }
