"""The SQL of SqliteSnapshotFile.ToJournal / FromJournal (src/Engine/Persistence), timed on SQLite files of N stores' snapshots
of S bytes each, beside its ceiling: the snapshot file copied and fsync'd. Usage: python3 snapshot_writeback.py N S FOLDER
(FOLDER is deleted and made again). Python's sqlite3 runs the statements, so the figures are SQLite's cost, not .NET's."""
import os, sqlite3, sys, time, shutil, resource
N = int(sys.argv[1]); S = int(sys.argv[2]); d = sys.argv[3]
shutil.rmtree(d, ignore_errors=True); os.makedirs(d)
J = os.path.join(d, "journal.db"); F = os.path.join(d, "journal-snapshots.db")
T = 'CREATE TABLE snapshot (persistence_id TEXT NOT NULL, sequence_number INTEGER NOT NULL, created INTEGER NOT NULL, snapshot BLOB NOT NULL, manifest TEXT NOT NULL, serializer_id INTEGER, PRIMARY KEY (persistence_id, sequence_number))'
def conn(p):
    c = sqlite3.connect(p, isolation_level=None); c.execute("PRAGMA journal_mode=WAL"); c.execute("PRAGMA synchronous=FULL"); c.execute("PRAGMA wal_autocheckpoint=0"); return c
j = conn(J); j.execute("CREATE TABLE journal (ordering INTEGER PRIMARY KEY, b BLOB)"); j.close()
f = conn(F); f.execute(T); f.execute("CREATE INDEX snapshot_created ON snapshot (created)")
f.execute("BEGIN"); f.executemany("INSERT INTO snapshot VALUES (?, ?, 1, randomblob(?), 'm', 9)", [(f"store-{i}", 500, S) for i in range(N)]); f.execute("COMMIT")
f.execute("PRAGMA wal_checkpoint(TRUNCATE)"); f.close()
def wanted(frm, to, newest):
    w = f"NOT EXISTS (SELECT 1 FROM {to}.snapshot t WHERE t.persistence_id = s.persistence_id AND (t.sequence_number > s.sequence_number OR (t.sequence_number = s.sequence_number AND t.created >= s.created)))"
    if newest: w += f" AND NOT EXISTS (SELECT 1 FROM {frm}.snapshot n WHERE n.persistence_id = s.persistence_id AND n.sequence_number > s.sequence_number)"
    return w
cols = "persistence_id, sequence_number, created, snapshot, manifest, serializer_id"
def copy(frm, to, newest):
    c = conn(F); c.execute(f"ATTACH DATABASE '{J}' AS journal")
    c.execute("BEGIN IMMEDIATE")
    c.execute(f"CREATE TABLE IF NOT EXISTS {to}.snapshot (persistence_id TEXT NOT NULL, sequence_number INTEGER NOT NULL, created INTEGER NOT NULL, snapshot BLOB NOT NULL, manifest TEXT NOT NULL, serializer_id INTEGER, PRIMARY KEY (persistence_id, sequence_number))")
    if newest: c.execute(f"DELETE FROM {to}.snapshot WHERE persistence_id IN (SELECT s.persistence_id FROM {frm}.snapshot s WHERE {wanted(frm, to, newest)})")
    n = c.execute(f"INSERT OR REPLACE INTO {to}.snapshot ({cols}) SELECT {cols} FROM {frm}.snapshot s WHERE {wanted(frm, to, newest)}").rowcount
    c.execute("COMMIT"); c.close(); return n
def timed(what, fn):
    r0 = resource.getrusage(resource.RUSAGE_SELF); t0 = time.perf_counter(); n = fn(); t1 = time.perf_counter(); r1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    print(f"{what}: {n} rows, wall {1000*(t1-t0):.0f} ms, cpu {1000*cpu:.0f} ms, load {os.getloadavg()[0]:.1f}")
def ceiling():
    t0 = time.perf_counter(); r0 = resource.getrusage(resource.RUSAGE_SELF)
    with open(F, 'rb') as a, open(os.path.join(d, 'copy'), 'wb') as b:
        shutil.copyfileobj(a, b); b.flush(); os.fsync(b.fileno())
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    print(f"ceiling, the snapshot file copied and fsync'd: {os.path.getsize(F)/2**20:.1f} MiB, wall {1000*(time.perf_counter()-t0):.0f} ms, cpu {1000*((r1.ru_utime-r0.ru_utime)+(r1.ru_stime-r0.ru_stime)):.0f} ms")
    os.remove(os.path.join(d, 'copy'))
print(f"{N} stores x {S} bytes")
ceiling()
timed("stop, first write-back (table made, every store)", lambda: copy("main", "journal", True))
timed("stop, nothing newer", lambda: copy("main", "journal", True))
timed("start, nothing newer in the journal's file", lambda: copy("journal", "main", False))
f = conn(F); f.execute(f"UPDATE snapshot SET created = 2, snapshot = randomblob({S})"); f.close()
timed("stop, every store checkpointed since (same sequence number, later)", lambda: copy("main", "journal", True))
f = conn(F); f.execute("BEGIN"); f.execute("INSERT INTO snapshot SELECT persistence_id, 1000, 3, snapshot, manifest, serializer_id FROM snapshot"); f.execute("COMMIT"); f.close()
timed("stop, every store snapshotted higher (older row replaced)", lambda: copy("main", "journal", True))
jc = conn(J); jc.execute("PRAGMA wal_checkpoint(TRUNCATE)"); print(f"journal.db after: {os.path.getsize(J)/2**20:.1f} MiB, rows {jc.execute('select count(*) from snapshot').fetchone()[0]}"); jc.close()
