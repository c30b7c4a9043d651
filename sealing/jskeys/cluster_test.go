package jskeys

import (
	"context"
	"testing"

	"github.com/waymark-org/waymark/internal/natstest"
	"github.com/waymark-org/waymark/sealing"
	"github.com/waymark-org/waymark/sealing/keystoretest"
)

// The contract holds on a three-node cluster too, where every read of the key stream
// goes to its leader (leaderread.go): each case of it on a cluster of its own.
func TestContractOnACluster(t *testing.T) {
	t.Parallel()
	// One cluster at a time: the contract's cases run in parallel, and nine clusters
	// of three servers at once, beside the rest of a -race run on 2 cores, made a
	// stream's creation outlast its timeout in CI.
	oneAtATime := make(chan struct{}, 1)
	keystoretest.Run(t, func(t *testing.T) sealing.KeyStore {
		oneAtATime <- struct{}{}
		t.Cleanup(func() { <-oneAtATime })
		cluster := natstest.Start(t)
		ks, err := Connect(context.Background(), NATSConfig{
			URL: cluster.URLs(), User: natstest.KeysUser, Password: natstest.KeysPassword, Replicas: 3,
		}, nil)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ks.Close() })
		if !ks.replicated {
			t.Fatal("a key stream of 3 replicas is not treated as replicated")
		}
		// Connect returns once the new stream has a leader: the first write must not
		// find it still electing one.
		if info := ks.stream.CachedInfo(); info.Cluster == nil || info.Cluster.Leader == "" {
			t.Fatal("Connect returned before the key stream had a leader")
		}
		return ks
	})
}
