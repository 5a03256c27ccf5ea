package app

import (
	"fmt"
	"os"
	"strings"
)

// maxReplicaName bounds the name: it is stored beside every job lease and
// shown in /metrics and /readyz.
const maxReplicaName = 64

// replicaName names this process among the replicas that serve one
// database: the holder shown beside its job leases and the label of its
// /metrics and /readyz. $ECOPULSE_REPLICA sets it (a stable name per
// replica: a systemd instance, a container name); otherwise it is the host
// name and the process id, which differ between the processes of one
// machine. Two processes given one name still never share a lease: a lease
// is held by its fencing token, the name only says who holds it.
func replicaName() string {
	name := strings.TrimSpace(os.Getenv("ECOPULSE_REPLICA"))
	if name == "" {
		host, err := os.Hostname()
		if err != nil || host == "" {
			host = "ecopulse"
		}
		name = fmt.Sprintf("%s-%d", host, os.Getpid())
	}
	if len(name) > maxReplicaName {
		name = name[:maxReplicaName]
	}
	return name
}
