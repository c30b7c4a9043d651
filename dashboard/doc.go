// Package dashboard is the de-identification of the coalition's dashboards: the
// rules that keep a table of counts from pointing at a person. It is pure (no I/O):
// the dashboard projection and the API build on it.
//
//   - Suppress: small-cell suppression of a table with its row, column and grand
//     totals. Every count from 1 to k−1 is withheld, then, one at a time, the
//     smallest published count in a sum that still gives a withheld one back, until
//     no combination of the table's sums gives any back (checked exactly, by linear
//     algebra over the sums, not row by row: see determined). A table of unlike
//     figures by month has row totals only (Table.RowTotalsOnly).
//   - Quantile: a median or percentile, withheld over fewer than k values.
//   - Figures: the counts the tables are made of, per jurisdiction × organisation ×
//     month, from the case events (codes and organisation ids only; a transferred
//     case counts once, where it ends the month).
//
// k is DefaultMinCell unless configured, never below MinCellFloor (CheckMinCell).
package dashboard
