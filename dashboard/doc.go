// Package dashboard is the de-identification of the coalition's dashboards: the
// rules that keep a table of counts from pointing at a person. It is pure (no I/O):
// the dashboard projection and the API build on it.
//
//   - Suppress: small-cell suppression of a table with its row, column and grand
//     totals. Every count from 1 to k−1 is withheld; then, while any withheld count
//     is given back by some combination of the table's sums (checked exactly, by
//     linear algebra: determined) or a small one is bounded away from 0 or below k
//     because counts are never negative (bounds), the cheapest rectangle of counts
//     around it is withheld too. A table of unlike figures by month has row totals
//     only (Table.RowTotalsOnly).
//   - Quantile: a median or percentile, withheld over fewer than k values.
//   - Figures: the counts the tables are made of, per jurisdiction × organisation ×
//     month, from the case events (codes and organisation ids only; a transferred
//     case counts once, where it ends the month).
//
// k is DefaultMinCell unless configured, never below MinCellFloor (CheckMinCell).
package dashboard
