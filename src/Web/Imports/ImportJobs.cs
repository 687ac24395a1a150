using System.Collections.Concurrent;
using System.Threading.Channels;
using SalesDash.Contracts.Commerce;

namespace SalesDash.Web.Imports;

/// <summary>Where an import stands.</summary>
public enum ImportStatus
{
    Queued,
    Running,
    Completed,
    Failed,
}

/// <summary>What GET /api/imports/{id} shows: progress, speed, time left, and every rejected row with its line.</summary>
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

/// <summary>One uploaded file on its way in; progress counters are updated by the worker and read by the API.</summary>
public sealed class ImportJob
{
    /// <summary>A status answer stays small however bad the file; the count still says how many rows were rejected.</summary>
    public const int MaxErrorsShown = 1000;

    private readonly Lock _gate = new();
    private readonly List<ImportError> _errors = [];
    private int _rowsDone;
    private int _accepted;
    private int _duplicates;

    public ImportJob(Guid id, StoreRef store, ImportFormat format, string fileName, string spoolPath, DateTimeOffset queuedAt)
    {
        Id = id;
        Store = store;
        Format = format;
        FileName = fileName;
        SpoolPath = spoolPath;
        QueuedAt = queuedAt;
    }

    public Guid Id { get; }
    public StoreRef Store { get; }
    public ImportFormat Format { get; }
    public string FileName { get; }

    /// <summary>The uploaded file, spooled to disk until parsed; deleted once parsed or finished.</summary>
    public string SpoolPath { get; }

    public DateTimeOffset QueuedAt { get; }
    public ImportStatus Status { get; private set; } = ImportStatus.Queued;
    public int TotalRows { get; private set; }
    public DateTimeOffset? StartedAt { get; private set; }
    public DateTimeOffset? FinishedAt { get; private set; }
    public string? Failure { get; private set; }

    public void Start(DateTimeOffset at)
    {
        lock (_gate)
        {
            Status = ImportStatus.Running;
            StartedAt = at;
        }
    }

    /// <summary>The file is parsed: the row count is known, and rejected rows are done (and reported) already.</summary>
    public void Parsed(int totalRows, IReadOnlyList<ImportError> errors, int rejectedRows)
    {
        lock (_gate)
        {
            TotalRows = totalRows;
            _errors.AddRange(errors);
        }

        DeleteSpool();

        Interlocked.Add(ref _rowsDone, rejectedRows);
    }

    public void EventDone(int rows, bool accepted)
    {
        Interlocked.Add(ref _rowsDone, rows);
        Interlocked.Increment(ref accepted ? ref _accepted : ref _duplicates);
    }

    public void EventFailed(ImportError error, int rows)
    {
        lock (_gate)
        {
            _errors.Add(error);
        }

        Interlocked.Add(ref _rowsDone, rows);
    }

    public void Finish(DateTimeOffset at, string? failure = null)
    {
        lock (_gate)
        {
            Status = failure is null ? ImportStatus.Completed : ImportStatus.Failed;
            Failure = failure;
            FinishedAt = at;
        }

        DeleteSpool();
    }

    /// <summary>Removes the spooled upload; a file already gone is fine.</summary>
    public void DeleteSpool()
    {
        try
        {
            File.Delete(SpoolPath);
        }
        catch (IOException)
        {
            // Still open somewhere: the spool folder is temporary, and the next start clears it.
        }
    }

    public ImportProgress Progress(DateTimeOffset now)
    {
        lock (_gate)
        {
            var done = Math.Min(Volatile.Read(ref _rowsDone), Math.Max(TotalRows, Volatile.Read(ref _rowsDone)));
            var elapsed = ((FinishedAt ?? now) - (StartedAt ?? now)).TotalSeconds;
            double? rate = elapsed > 0 ? Math.Round(done / elapsed, 1) : null;
            double? eta = Status is ImportStatus.Completed or ImportStatus.Failed ? 0d
                : rate > 0 && TotalRows > 0 ? Math.Round(Math.Max(0, TotalRows - done) / rate.Value, 1) : null;
            var errors = _errors.OrderBy(e => e.Line).Take(MaxErrorsShown).ToList();
            return new ImportProgress(Id, Store.TenantId, Store.StoreId, ImportFormats.Name(Format), FileName, Status.ToString(), TotalRows, done,
                rate, eta, Volatile.Read(ref _accepted), Volatile.Read(ref _duplicates), _errors.Count, errors, QueuedAt, StartedAt, FinishedAt, Failure);
        }
    }
}

/// <summary>
/// Every import of this process by id, and the queue the worker takes them from (one at a time, in order). The queue
/// holds only small job records (uploads wait on disk), and each organisation may have at most a set number queued or
/// running, so neither memory nor the spool folder grows with a burst of uploads.
/// </summary>
public sealed class ImportJobs
{
    private readonly ConcurrentDictionary<Guid, ImportJob> _jobs = new();
    private readonly Dictionary<string, int> _activeByTenant = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private readonly Channel<ImportJob> _queue = Channel.CreateUnbounded<ImportJob>(new UnboundedChannelOptions { SingleReader = true });

    public ChannelReader<ImportJob> Queue => _queue.Reader;

    /// <summary>Imports of the tenant queued or running now.</summary>
    public int ActiveFor(string tenantId)
    {
        lock (_gate)
        {
            return _activeByTenant.GetValueOrDefault(tenantId);
        }
    }

    /// <summary>Queues the job unless its tenant already has <paramref name="maxActivePerTenant"/> queued or running.</summary>
    public bool TryEnqueue(ImportJob job, int maxActivePerTenant)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_gate)
        {
            var active = _activeByTenant.GetValueOrDefault(job.Store.TenantId);
            if (active >= maxActivePerTenant)
            {
                return false;
            }

            _activeByTenant[job.Store.TenantId] = active + 1;
        }

        _jobs[job.Id] = job;
        if (!_queue.Writer.TryWrite(job))
        {
            throw new InvalidOperationException("The import queue is closed.");
        }

        return true;
    }

    /// <summary>The job has finished (or failed): its tenant may queue another.</summary>
    public void Done(ImportJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        lock (_gate)
        {
            if (_activeByTenant.TryGetValue(job.Store.TenantId, out var active))
            {
                if (active <= 1)
                {
                    _activeByTenant.Remove(job.Store.TenantId);
                }
                else
                {
                    _activeByTenant[job.Store.TenantId] = active - 1;
                }
            }
        }
    }

    public ImportJob? Find(Guid id) => _jobs.GetValueOrDefault(id);
}

/// <summary>Format names as the API spells them.</summary>
public static class ImportFormats
{
    public static string Name(ImportFormat format) => format == ImportFormat.OnlineRetail ? OnlineRetailImport.FormatName : ShopifyOrderExportImport.FormatName;

    public static bool TryParse(string? text, out ImportFormat? format)
    {
        format = (text ?? string.Empty).Trim().ToLowerInvariant() switch
        {
            "" => null,
            "shopify" or "shopify-orders" => ImportFormat.ShopifyOrders,
            "online-retail" or "onlineretail" or "retail" => ImportFormat.OnlineRetail,
            _ => (ImportFormat)(-1),
        };
        return format is null || Enum.IsDefined(format.Value);
    }

    /// <summary>Recognises a file by its header: InvoiceNo → Online Retail, Lineitem quantity → Shopify's order export.</summary>
    public static ImportFormat? Sniff(ReadOnlySpan<byte> head)
    {
        var text = System.Text.Encoding.UTF8.GetString(head);
        var firstLine = text.Split('\n', 2)[0];
        if (firstLine.Contains("InvoiceNo", StringComparison.OrdinalIgnoreCase))
        {
            return ImportFormat.OnlineRetail;
        }

        return firstLine.Contains("Lineitem quantity", StringComparison.OrdinalIgnoreCase) ? ImportFormat.ShopifyOrders : null;
    }
}
