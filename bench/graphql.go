package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"time"
)

// graphQL sends one GraphQL request with a bearer token and decodes its data into out
// (nil: ignored); an error in the answer is an error here.
func graphQL(ctx context.Context, hc *http.Client, url, token, query string, variables map[string]any, out any) error {
	body, err := json.Marshal(map[string]any{"query": query, "variables": variables})
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	var answer struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &answer); err != nil {
		return fmt.Errorf("HTTP %d: %w", resp.StatusCode, err)
	}
	if len(answer.Errors) > 0 {
		return fmt.Errorf("HTTP %d: %s (%v)", resp.StatusCode, answer.Errors[0].Message, answer.Errors[0].Extensions["code"])
	}
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	if out == nil {
		return nil
	}
	return json.Unmarshal(answer.Data, out)
}

// CaseIDs returns the ids of up to limit cases of organisation org that the token's
// user sees, newest referral first: the cases a read load asks for.
func CaseIDs(ctx context.Context, url, token, org string, limit int) ([]string, error) {
	const query = `query($org: ID!, $after: String) { cases(filter: {organisationId: $org}, first: 100, after: $after) {
		edges { node { id } } pageInfo { hasNextPage endCursor } } }`
	hc := &http.Client{Timeout: time.Minute}
	defer hc.CloseIdleConnections()
	var ids []string
	vars := map[string]any{"org": org}
	for len(ids) < limit {
		var page struct {
			Cases struct {
				Edges []struct {
					Node struct{ ID string }
				}
				PageInfo struct {
					HasNextPage bool
					EndCursor   string
				}
			}
		}
		if err := graphQL(ctx, hc, url, token, query, vars, &page); err != nil {
			return nil, fmt.Errorf("list cases: %w", err)
		}
		for _, e := range page.Cases.Edges {
			ids = append(ids, e.Node.ID)
		}
		if !page.Cases.PageInfo.HasNextPage {
			break
		}
		vars["after"] = page.Cases.PageInfo.EndCursor
	}
	return ids[:min(len(ids), limit)], nil
}
