using SalesDash.Contracts.Commerce;

namespace SalesDash.Web.Imports;

/// <summary>A row (or a group of rows) that could not be imported, with the file line it starts on.</summary>
public sealed record ImportError(int Line, string Message);

/// <summary>One event to ingest, with the file lines it was made from and how many data rows they are.</summary>
public sealed record ImportEvent(CommerceEvent Event, int FirstLine, int Rows);

/// <summary>What a file turns into: events in file order, the rows that could not be used, and the number of data rows read.</summary>
public sealed record ParsedImport(IReadOnlyList<ImportEvent> Events, IReadOnlyList<ImportError> Errors, int DataRows);

/// <summary>Where imported events go and how they are named.</summary>
/// <param name="Store">The store the file belongs to.</param>
/// <param name="Channel">The store's channel; imported orders count under it.</param>
/// <param name="Currency">The store's currency, for formats that do not carry one.</param>
/// <param name="TimeZone">The store's IANA zone; wall-clock times without an offset are read in it.</param>
public sealed record ImportTarget(StoreRef Store, SalesChannel Channel, string Currency, string TimeZone)
{
    /// <summary>
    /// Deterministic event ids: the same file imported again yields the same ids (and the same order versions), so
    /// ingestion recognises every event as a duplicate and history's idempotent writes change nothing.
    /// </summary>
    public string EventId(string format, string kind, string id) => $"import:{format}:{Store.TenantId}/{Store.StoreId}:{kind}:{id}";
}
