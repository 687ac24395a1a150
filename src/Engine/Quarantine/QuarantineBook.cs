namespace SalesDash.Engine.Quarantine;

/// <summary>
/// The events one store holds aside, in arrival order. Pure and single-threaded like <see cref="Tenants.KpiState"/>:
/// the entity adds entries as events fail and removes them as Admins retry or discard, and tests call it directly.
/// </summary>
/// <remarks>
/// Entries live in the entity's own journal, not in the app database: an entry is either a journaled event that fails
/// on replay (re-found on every recovery, so nothing else has to be written while recovering) or an
/// <see cref="StoreQuarantine.EventQuarantined"/> written in the same journal as the store's other events, so the Kafka
/// offset is committed only once the entry is as durable as an accepted event would be. It moves with the entity
/// between nodes and needs no second store that could disagree with the journal.
/// </remarks>
public sealed class QuarantineBook
{
    private readonly List<QuarantinedEvent> _entries = [];

    public int Count => _entries.Count;

    /// <summary>The entries, oldest first.</summary>
    public IReadOnlyList<QuarantinedEvent> Entries => _entries.ToArray();

    /// <summary>Adds the entry unless one with the same id is held; false when it was already there.</summary>
    public bool Add(QuarantinedEvent entry)
    {
        ArgumentNullException.ThrowIfNull(entry);
        if (Find(entry.Id) is not null)
        {
            return false;
        }

        _entries.Add(entry);
        return true;
    }

    public QuarantinedEvent? Find(string id) => _entries.Find(e => string.Equals(e.Id, id, StringComparison.Ordinal));

    /// <summary>The entry holding a delivery with this event id, so a redelivered bad record is held once.</summary>
    public QuarantinedEvent? FindByEventId(string eventId) =>
        _entries.Find(e => string.Equals(e.Event.EventId, eventId, StringComparison.Ordinal));

    /// <summary>Removes and returns the entry; null when no entry has the id.</summary>
    public QuarantinedEvent? Take(string id)
    {
        var entry = Find(id);
        if (entry is not null)
        {
            _entries.Remove(entry);
        }

        return entry;
    }

    /// <summary>Replaces an entry's reason after a failed retry, so the Admin sees why it fails with the current code.</summary>
    public void Explain(string id, string field, string reason)
    {
        var index = _entries.FindIndex(e => string.Equals(e.Id, id, StringComparison.Ordinal));
        if (index >= 0)
        {
            _entries[index] = _entries[index] with { Field = field, Reason = reason };
        }
    }

    /// <summary>A book holding the entries of a snapshot (none for snapshots written before quarantine existed).</summary>
    public static QuarantineBook From(IEnumerable<QuarantinedEvent>? entries)
    {
        var book = new QuarantineBook();
        foreach (var entry in entries ?? [])
        {
            book.Add(entry);
        }

        return book;
    }
}
