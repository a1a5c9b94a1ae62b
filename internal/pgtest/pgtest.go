// Package pgtest gives tests a fresh PostgreSQL database of their own on
// the server RETOLD_TEST_POSTGRES names (a DSN, key=value or URL, of a
// role that may create databases). Without it a test skips, unless
// RETOLD_REQUIRE_POSTGRES=1 (as .ci/run sets it), when it fails:
// `bash .ci/postgres-up.sh` starts a server and prints the variable.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Admin is the DSN of the test server, or "" (the test has been skipped
// or failed) when there is none.
func Admin(t testing.TB) string {
	t.Helper()
	dsn := os.Getenv("RETOLD_TEST_POSTGRES")
	if dsn == "" {
		if os.Getenv("RETOLD_REQUIRE_POSTGRES") == "1" {
			t.Fatal("RETOLD_TEST_POSTGRES is not set and RETOLD_REQUIRE_POSTGRES=1: start a server with bash .ci/postgres-up.sh")
		}
		t.Skip("no PostgreSQL server: set RETOLD_TEST_POSTGRES (bash .ci/postgres-up.sh starts one and prints it)")
	}
	return dsn
}

// NewDatabase creates an empty database, dropped when the test ends, and
// returns its postgres:// URL.
func NewDatabase(t testing.TB) string {
	t.Helper()
	admin := Admin(t)
	cfg, err := pgx.ParseConfig(admin)
	if err != nil {
		t.Fatalf("RETOLD_TEST_POSTGRES: %v", err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	name := "retold_test_" + hex.EncodeToString(b)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	conn, err := pgx.ConnectConfig(ctx, cfg)
	if err != nil {
		t.Fatalf("PostgreSQL at RETOLD_TEST_POSTGRES: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatalf("create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		conn, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			t.Logf("drop database %s: %v", name, err)
			return
		}
		defer conn.Close(ctx)
		if _, err := conn.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)"); err != nil {
			t.Logf("drop database %s: %v", name, err)
		}
	})
	u := url.URL{Scheme: "postgres", Path: "/" + name}
	q := url.Values{}
	if len(cfg.Host) > 0 && cfg.Host[0] == '/' {
		q.Set("host", cfg.Host) // a unix socket directory
		u.Host = ""
	} else {
		u.Host = cfg.Host + ":" + strconv.Itoa(int(cfg.Port))
	}
	if cfg.Port != 0 && u.Host == "" {
		q.Set("port", strconv.Itoa(int(cfg.Port)))
	}
	if cfg.Password != "" {
		u.User = url.UserPassword(cfg.User, cfg.Password)
	} else if cfg.User != "" {
		u.User = url.User(cfg.User)
	}
	u.RawQuery = q.Encode()
	return u.String()
}
