using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Query;
using SalesDash.Contracts.Commerce;
using SalesDash.Web.AppData;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Imports;

/// <summary>Where an import stands. <see cref="Uploading"/> is a job whose file is still arriving: no worker takes it.</summary>
public enum ImportStatus
{
    Uploading,
    Queued,
    Running,
    Completed,
    Failed,
}

/// <summary>What GET /api/tenants/{tenantId}/imports/{id} shows: progress, speed, time left, and every rejected row with its line.</summary>
/// <param name="RowsPerSecond">Data rows handled per second since the import started; null until measurable time has passed.</param>
/// <param name="EtaSeconds">Seconds left at the current speed; null before the first rows are done, 0 once finished.</param>
/// <param name="Errors">The first <see cref="ImportJob.MaxErrorsShown"/> rejected rows, by line; <paramref name="ErrorCount"/> counts them all.</param>
public sealed record ImportProgress(
    Guid Id,
    string TenantId,
    string StoreId,
    string Format,
    string FileName,
    string Status,
    int TotalRows,
    int RowsDone,
    double? RowsPerSecond,
    double? EtaSeconds,
    int EventsAccepted,
    int EventsDuplicate,
    int ErrorCount,
    IReadOnlyList<ImportError> Errors,
    DateTimeOffset QueuedAt,
    DateTimeOffset? StartedAt,
    DateTimeOffset? FinishedAt,
    string? Failure);

/// <summary>A claimed import, as the worker runs it.</summary>
public sealed record ImportJob(Guid Id, StoreRef Store, string FileName, ImportSettings Settings)
{
    /// <summary>A status answer stays small however bad the file; the count still says how many rows were rejected.</summary>
    public const int MaxErrorsShown = 1000;
}

/// <summary>Counters of a running import, written back as it goes.</summary>
public sealed record ImportCounters(int TotalRows, int RowsDone, int EventsAccepted, int EventsDuplicate, IReadOnlyList<ImportError> Errors);

/// <summary>
/// Imports in the app database: the upload in chunks beside its job, so no node's disk holds state and a job outlives
/// the node that took the upload. A node takes a job by a conditional update (queued, or running under a lease that
/// ran out), so on any number of nodes each job runs on one at a time and is taken over when its node dies.
/// </summary>
public sealed class ImportJobs(IDbContextFactory<AppIdentityDbContext> databases, TimeProvider time)
{
    /// <summary>Upload pieces: small enough to keep memory flat, large enough that a 256 MB file is a few hundred rows.</summary>
    public const int ChunkBytes = 1024 * 1024;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web) { Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) } };

    private static readonly string[] Active = [nameof(ImportStatus.Uploading), nameof(ImportStatus.Queued), nameof(ImportStatus.Running)];

    /// <summary>Imports of the tenant uploading, queued or running now.</summary>
    public async Task<int> ActiveForAsync(string tenantId, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Set<ImportJobRow>().CountAsync(j => j.TenantId == tenantId && Active.Contains(j.Status), cancellationToken);
    }

    /// <summary>Starts a job in <see cref="ImportStatus.Uploading"/>; its file follows with <see cref="AppendAsync"/>.</summary>
    public async Task<Guid> CreateAsync(StoreRef store, string format, string fileName, ImportSettings settings, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(store);
        var id = Guid.NewGuid();
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        db.Add(new ImportJobRow
        {
            Id = id.ToString("N"),
            TenantId = store.TenantId,
            StoreId = store.StoreId,
            Format = format,
            FileName = fileName,
            Settings = JsonSerializer.Serialize(settings, Json),
            Status = nameof(ImportStatus.Uploading),
            Errors = "[]",
            QueuedAt = StoredTime.From(time.GetUtcNow()),
        });
        await db.SaveChangesAsync(cancellationToken);
        return id;
    }

    public async Task AppendAsync(Guid id, int seq, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        db.Add(new ImportChunkRow { JobId = id.ToString("N"), Seq = seq, Data = data.ToArray() });
        await db.SaveChangesAsync(cancellationToken);
    }

    /// <summary>Names what the upload is and how to read it, once its form has been read whole.</summary>
    public async Task DescribeAsync(Guid id, string format, string fileName, ImportSettings settings, CancellationToken cancellationToken)
    {
        var key = id.ToString("N");
        var json = JsonSerializer.Serialize(settings, Json);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.Set<ImportJobRow>().Where(j => j.Id == key)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Format, format).SetProperty(j => j.FileName, fileName).SetProperty(j => j.Settings, json), cancellationToken);
    }

    /// <summary>The file is whole: the job may be taken.</summary>
    public async Task QueueAsync(Guid id, long bytes, CancellationToken cancellationToken)
    {
        var key = id.ToString("N");
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.Set<ImportJobRow>().Where(j => j.Id == key)
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, nameof(ImportStatus.Queued)).SetProperty(j => j.Bytes, bytes), cancellationToken);
    }

    /// <summary>Removes a job and its file: an upload refused half-way leaves nothing behind.</summary>
    public async Task DiscardAsync(Guid id, CancellationToken cancellationToken)
    {
        var key = id.ToString("N");
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.Set<ImportChunkRow>().Where(c => c.JobId == key).ExecuteDeleteAsync(cancellationToken);
        await db.Set<ImportJobRow>().Where(j => j.Id == key).ExecuteDeleteAsync(cancellationToken);
    }

    public async Task<ImportProgress?> FindAsync(Guid id, CancellationToken cancellationToken)
    {
        var key = id.ToString("N");
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var row = await db.Set<ImportJobRow>().AsNoTracking().SingleOrDefaultAsync(j => j.Id == key, cancellationToken);
        return row is null ? null : Progress(row, time.GetUtcNow());
    }

    /// <summary>
    /// Takes the oldest job that is queued, or running under a lease that has run out (its node died or stopped), for
    /// <paramref name="node"/>; null when there is none or another node took each candidate first.
    /// </summary>
    public async Task<ImportJob?> TryClaimAsync(string node, TimeSpan lease, CancellationToken cancellationToken)
    {
        var now = StoredTime.From(time.GetUtcNow());
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var candidates = await db.Set<ImportJobRow>().AsNoTracking()
            .Where(j => j.Status == nameof(ImportStatus.Queued) || j.Status == nameof(ImportStatus.Running) && j.LeaseUntil < now)
            .OrderBy(j => j.QueuedAt).Take(5).ToListAsync(cancellationToken);
        foreach (var row in candidates)
        {
            // The same condition again in the update: of two nodes reading the same candidate, one changes it.
            var taken = await db.Set<ImportJobRow>()
                .Where(j => j.Id == row.Id && (j.Status == nameof(ImportStatus.Queued) || j.Status == nameof(ImportStatus.Running) && j.LeaseUntil < now))
                .ExecuteUpdateAsync(s => s
                    .SetProperty(j => j.Status, nameof(ImportStatus.Running))
                    .SetProperty(j => j.ClaimedBy, node)
                    .SetProperty(j => j.LeaseUntil, now + lease)
                    .SetProperty(j => j.StartedAt, now)
                    .SetProperty(j => j.RowsDone, 0)
                    .SetProperty(j => j.EventsAccepted, 0)
                    .SetProperty(j => j.EventsDuplicate, 0), cancellationToken);
            if (taken == 1)
            {
                var settings = JsonSerializer.Deserialize<ImportSettings>(row.Settings, Json) ?? new ImportSettings();
                return new ImportJob(Guid.ParseExact(row.Id, "N"), new StoreRef(row.TenantId, row.StoreId), row.FileName, settings);
            }
        }

        return null;
    }

    /// <summary>Writes the counters and renews the lease; false when the job is no longer this node's (its lease ran out and another took it).</summary>
    public async Task<bool> ReportAsync(Guid id, string node, ImportCounters counters, TimeSpan lease, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(counters);
        var key = id.ToString("N");
        var now = StoredTime.From(time.GetUtcNow());
        var errors = Errors(counters.Errors);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        return await db.Set<ImportJobRow>().Where(j => j.Id == key && j.ClaimedBy == node && j.Status == nameof(ImportStatus.Running))
            .ExecuteUpdateAsync(s => SetCounters(s, counters, errors).SetProperty(j => j.LeaseUntil, now + lease), cancellationToken) == 1;
    }

    /// <summary>Ends the job (Completed, or Failed with the reason) and deletes its file.</summary>
    public async Task FinishAsync(Guid id, string node, ImportCounters counters, string? failure, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(counters);
        var key = id.ToString("N");
        var now = StoredTime.From(time.GetUtcNow());
        var errors = Errors(counters.Errors);
        var status = failure is null ? nameof(ImportStatus.Completed) : nameof(ImportStatus.Failed);
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        var updated = await db.Set<ImportJobRow>().Where(j => j.Id == key && j.ClaimedBy == node && j.Status == nameof(ImportStatus.Running))
            .ExecuteUpdateAsync(s => SetCounters(s, counters, errors)
                .SetProperty(j => j.Status, status)
                .SetProperty(j => j.Failure, failure)
                .SetProperty(j => j.FinishedAt, now)
                .SetProperty(j => j.LeaseUntil, (DateTime?)null), cancellationToken);
        if (updated == 1)
        {
            await db.Set<ImportChunkRow>().Where(c => c.JobId == key).ExecuteDeleteAsync(cancellationToken);
        }
    }

    /// <summary>Gives the job back (its node is stopping): another node, or this one after a restart, starts it again.</summary>
    public async Task ReleaseAsync(Guid id, string node, CancellationToken cancellationToken)
    {
        var key = id.ToString("N");
        await using var db = await databases.CreateDbContextAsync(cancellationToken);
        await db.Set<ImportJobRow>().Where(j => j.Id == key && j.ClaimedBy == node && j.Status == nameof(ImportStatus.Running))
            .ExecuteUpdateAsync(s => s.SetProperty(j => j.Status, nameof(ImportStatus.Queued)).SetProperty(j => j.ClaimedBy, (string?)null), cancellationToken);
    }

    /// <summary>The uploaded file, read a chunk at a time from the database.</summary>
    public Stream OpenFile(Guid id) => new ChunkStream(databases, id.ToString("N"));

    /// <summary>What a running job has counted so far; the progress and the finishing update both write it.</summary>
    private static UpdateSettersBuilder<ImportJobRow> SetCounters(UpdateSettersBuilder<ImportJobRow> row, ImportCounters counters, string errors) =>
        row.SetProperty(j => j.TotalRows, counters.TotalRows)
            .SetProperty(j => j.RowsDone, counters.RowsDone)
            .SetProperty(j => j.EventsAccepted, counters.EventsAccepted)
            .SetProperty(j => j.EventsDuplicate, counters.EventsDuplicate)
            .SetProperty(j => j.ErrorCount, counters.Errors.Count)
            .SetProperty(j => j.Errors, errors);

    private static string Errors(IReadOnlyList<ImportError> errors) =>
        JsonSerializer.Serialize(errors.OrderBy(e => e.Line).Take(ImportJob.MaxErrorsShown), Json);

    private static ImportProgress Progress(ImportJobRow row, DateTimeOffset now)
    {
        var finished = row.Status is nameof(ImportStatus.Completed) or nameof(ImportStatus.Failed);
        var started = StoredTime.To(row.StartedAt);
        var end = StoredTime.To(row.FinishedAt) ?? now;
        var elapsed = started is { } s ? (end - s).TotalSeconds : 0;
        double? rate = elapsed > 0 ? Math.Round(row.RowsDone / elapsed, 1) : null;
        double? eta = finished ? 0d : rate > 0 && row.TotalRows > 0 ? Math.Round(Math.Max(0, row.TotalRows - row.RowsDone) / rate.Value, 1) : null;
        var errors = JsonSerializer.Deserialize<List<ImportError>>(row.Errors, Json) ?? [];
        return new ImportProgress(Guid.ParseExact(row.Id, "N"), row.TenantId, row.StoreId, row.Format, row.FileName, row.Status, row.TotalRows, row.RowsDone,
            rate, eta, row.EventsAccepted, row.EventsDuplicate, row.ErrorCount, errors, StoredTime.To(row.QueuedAt), started, StoredTime.To(row.FinishedAt), row.Failure);
    }

    /// <summary>Reads the chunks in order, one query each, holding one chunk at a time.</summary>
    private sealed class ChunkStream(IDbContextFactory<AppIdentityDbContext> databases, string jobId) : Stream
    {
        private byte[] _chunk = [];
        private int _offset;
        private int _next;
        private bool _ended;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            while (_offset >= _chunk.Length)
            {
                if (_ended)
                {
                    return 0;
                }

                await using var db = await databases.CreateDbContextAsync(cancellationToken);
                var seq = _next;
                var data = await db.Set<ImportChunkRow>().AsNoTracking().Where(c => c.JobId == jobId && c.Seq == seq)
                    .Select(c => c.Data).SingleOrDefaultAsync(cancellationToken);
                if (data is null)
                {
                    _ended = true;
                    return 0;
                }

                _chunk = data;
                _offset = 0;
                _next++;
            }

            var n = Math.Min(buffer.Length, _chunk.Length - _offset);
            _chunk.AsMemory(_offset, n).CopyTo(buffer);
            _offset += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}

/// <summary>Layout names as the API spells them.</summary>
public static class ImportFormats
{
    /// <summary>What <see cref="ImportSettings"/> reads a file as, for the job's "format".</summary>
    public static string Name(TableRead read) => read.Layout ?? ImportLayouts.Custom;
}
