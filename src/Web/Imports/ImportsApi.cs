using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using SalesDash.Contracts.Commerce;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Stores;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Imports;

/// <summary>A layout the importer knows, for the UI's choice.</summary>
public sealed record LayoutInfo(string Name, string Title);

/// <summary>
/// What a file will become, before anything is written: how it is encoded and separated, which layout it is (or the
/// mapping used), how its dates read, and its first rows beside the order or refund each becomes.
/// </summary>
/// <param name="NeedsMapping">No known layout fits the header and no (complete) mapping was given.</param>
/// <param name="NeedsDateOrder">The sample's dates could be day/month or month/day and none proves which.</param>
public sealed record ImportPreview(
    string Encoding,
    string Delimiter,
    IReadOnlyList<string> Header,
    string? Layout,
    IReadOnlyDictionary<string, string> Mapping,
    string? DateOrder,
    string DateOrderFrom,
    bool NeedsMapping,
    bool NeedsDateOrder,
    string? Failure,
    int SampleRows,
    int SampleOrders,
    int SampleRefunds,
    int SampleRejected,
    IReadOnlyList<PreviewRow> Rows,
    IReadOnlyList<LayoutInfo> Layouts,
    IReadOnlyList<string> Fields);

/// <summary>
/// History imports. POST a CSV (multipart, field "file"; optional "format" = a layout name, "mapping" = JSON
/// {field: header}, "dateOrder" = day-first | month-first) to {store}/imports (the store-scoped group) and get 202
/// with the import's id; GET /api/tenants/{tenantId}/imports/{id} for progress, rows/s, ETA and rejected rows with their
/// line numbers. POST the same form (or only the file's first rows) to {store}/imports/preview to see what it will
/// become first. The upload is streamed into
/// the app database in chunks, never held in memory or on a node's disk; a file over Imports:MaxUploadBytes is a 413,
/// an organisation with Imports:MaxQueuedPerTenant imports queued or running a 429, both problem+json.
/// </summary>
public static class ImportsApi
{
    /// <summary>Rows a preview shows: a screenful, enough to check every column once.</summary>
    public const int PreviewRows = 20;

    /// <summary>Largest preview sample read; the UI sends the file's first 256 KB, and a longer body is cut at a line.</summary>
    public const int MaxPreviewBytes = 1024 * 1024;

    /// <summary>How long a refused (too busy) sender is told to wait: about one ordinary import.</summary>
    private const int RetryAfterSeconds = 30;

    /// <summary>Multipart headers and the small fields around the file; generous, as it only bounds the early Content-Length check.</summary>
    private const long FormOverheadBytes = 64 * 1024;

    public static IServiceCollection AddSalesDashImports(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ImportOptions>()
            .BindConfiguration(ImportOptions.Section)
            .Validate(o => o.MaxUploadBytes > 0, "Imports:MaxUploadBytes must be positive.")
            .Validate(o => o.MaxQueuedPerTenant > 0, "Imports:MaxQueuedPerTenant must be positive.")
            .Validate(o => o.Lease > TimeSpan.Zero && o.PollInterval > TimeSpan.Zero, "Imports:Lease and Imports:PollInterval must be positive.")
            .ValidateOnStart();
        services.AddSingleton<ImportJobs>();
        services.AddSingleton<ImportSignal>();
        services.AddHostedService<ImportWorker>();
        return services;
    }

    /// <summary>
    /// Maps POST /imports and /imports/preview on the store-scoped group (role checked, store resolved once) and moves
    /// the old /api/imports/{tenantId}/{storeId}[/preview] there with 308, which keeps the POST and its file.
    /// </summary>
    public static RouteGroupBuilder MapImportsApi(this RouteGroupBuilder store, IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(app);
        var imports = store.MapGroup("/imports").RequireOrgRole(OrgRole.Admin).DisableAntiforgery();
        imports.MapPost("/", UploadAsync).WithName("StartImport");
        imports.MapPost("/preview", PreviewAsync).WithName("PreviewImport");
        app.MapMovedStoreRoute("/api/imports", string.Empty, "imports");
        app.MapMovedStoreRoute("/api/imports", "preview", "imports/preview");
        return store;
    }

    /// <summary>
    /// An import's progress belongs to the organisation, not a store route: GET /api/tenants/{tenantId}/imports/{id}.
    /// The old /api/imports/{id} had no organisation in it, so it looks the import up and moves the caller there.
    /// </summary>
    public static IEndpointRouteBuilder MapImportProgressApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.MapGet("/api/tenants/{tenantId}/imports/{id:guid}", GetAsync).WithName("GetImport").RequireOrgRole(OrgRole.Viewer);
        app.MapGet("/api/imports/{id:guid}", MovedAsync).RequireOrgRole(OrgRole.Viewer).ExcludeFromDescription();
        return app;
    }

    private static async Task<Results<Ok<ImportPreview>, ProblemHttpResult>> PreviewAsync(
        HttpRequest request, CurrentStore current, CancellationToken cancellationToken)
    {
        var store = current.Profile;
        if (Disconnected(store) is { } disconnected)
        {
            return disconnected;
        }

        if (Boundary(request) is not { } boundary)
        {
            return Bad("Send the CSV (or its first rows) as multipart/form-data in a field named \"file\".");
        }

        var sample = new MemoryStream();
        var form = await ReadFormAsync(request, boundary, async (chunk, ct) =>
        {
            // Only the head matters; the rest of an oversized body is read and dropped.
            var room = MaxPreviewBytes - (int)sample.Length;
            if (room > 0)
            {
                await sample.WriteAsync(chunk[..Math.Min(room, chunk.Length)], ct);
            }

            return null;
        }, cancellationToken);
        if (form.Problem is { } problem)
        {
            return problem;
        }

        if (form.FileName is null || sample.Length == 0)
        {
            return Bad("The form has no file, or the file is empty: send the CSV in a field named \"file\".");
        }

        if (Settings(form) is not { } settings)
        {
            return Bad(form.SettingsProblem!);
        }

        var bytes = sample.Length >= MaxPreviewBytes || form.Partial ? TableImport.WholeLines(sample.GetBuffer().AsMemory(0, (int)sample.Length)) : sample.GetBuffer().AsMemory(0, (int)sample.Length);
        var target = new ImportTarget(store.Store, store.Channel, store.Currency, store.TimeZone);
        var read = await TableImport.ReadAsync(new MemoryStream(bytes.ToArray(), writable: false), settings, target, PreviewRows, cancellationToken);
        var rows = read.Preview;
        return TypedResults.Ok(new ImportPreview(
            read.Shape.EncodingName,
            read.Shape.DelimiterName,
            read.Header,
            read.Layout,
            read.Mapping.ToDictionary(m => JsonNamingPolicy.CamelCase.ConvertName(m.Key.ToString()), m => m.Value),
            read.DateOrder is { } order ? DateOrderName(order) : null,
            read.DateOrderFrom,
            NeedsMapping: read.Layout is null || read.Layout == ImportLayouts.Custom && ImportLayouts.Incomplete(read.Mapping.ToDictionary(m => m.Key, _ => 0)) is not null,
            NeedsDateOrder: read.DateOrderFrom == "ambiguous",
            read.Failure,
            rows.Count,
            rows.Count(r => r.Becomes == "order"),
            rows.Count(r => r.Becomes == "refund"),
            rows.Count(r => r.Becomes == "rejected"),
            rows,
            [.. ImportLayouts.Known.Select(l => new LayoutInfo(l.Name, l.Title))],
            [.. Enum.GetValues<ImportField>().Select(f => JsonNamingPolicy.CamelCase.ConvertName(f.ToString()))]));
    }

    private static async Task<Results<Accepted<ImportProgress>, ProblemHttpResult>> UploadAsync(
        HttpRequest request, CurrentStore current, ImportJobs jobs, ImportSignal signal, IOptions<ImportOptions> options, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        var store = current.Profile;
        var tenantId = store.Store.TenantId;
        if (Disconnected(store) is { } disconnected)
        {
            return disconnected;
        }

        // Refused before a byte of the body is read: a busy organisation or an oversized file costs nothing to turn away.
        if (await jobs.ActiveForAsync(tenantId, cancellationToken) >= limits.MaxQueuedPerTenant)
        {
            return TooBusy(request, tenantId, limits);
        }

        if (request.ContentLength > limits.MaxUploadBytes + FormOverheadBytes)
        {
            return TooLarge(limits.MaxUploadBytes);
        }

        if (Boundary(request) is not { } boundary)
        {
            return Bad("Send the CSV as multipart/form-data in a field named \"file\".");
        }

        // The server's own cap (30 MB by default) would cut the stream off before ours with a bare 413.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limits.MaxUploadBytes + FormOverheadBytes;
        }

        Guid? id = null;
        var keep = false;
        var buffer = new MemoryStream();
        var head = new MemoryStream();
        var seq = 0;
        long bytes = 0;
        try
        {
            var form = await ReadFormAsync(request, boundary, async (chunk, ct) =>
            {
                bytes += chunk.Length;
                if (bytes > limits.MaxUploadBytes)
                {
                    return TooLarge(limits.MaxUploadBytes);
                }

                if (head.Length < TableImport.SniffBytes * 4)
                {
                    await head.WriteAsync(chunk[..Math.Min(chunk.Length, TableImport.SniffBytes * 4 - (int)head.Length)], ct);
                }

                id ??= await jobs.CreateAsync(store.Store, "pending", "upload.csv", new ImportSettings(), ct);
                await buffer.WriteAsync(chunk, ct);
                if (buffer.Length >= ImportJobs.ChunkBytes)
                {
                    await jobs.AppendAsync(id.Value, seq++, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), ct);
                    buffer.SetLength(0);
                }

                return null;
            }, cancellationToken);
            if (form.Problem is { } problem)
            {
                return problem;
            }

            if (form.FileName is null || bytes == 0 || id is null)
            {
                return Bad("The form has no file, or the file is empty: send the CSV in a field named \"file\".");
            }

            if (Settings(form) is not { } settings)
            {
                return Bad(form.SettingsProblem!);
            }

            // The header decides now whether the file can be read as asked; the dates are judged over the whole file by the job.
            var target = new ImportTarget(store.Store, store.Channel, store.Currency, store.TimeZone);
            var read = await TableImport.ReadAsync(new MemoryStream(TableImport.WholeLines(head.ToArray()).ToArray(), writable: false), settings, target, 0, cancellationToken);
            if (read.Failure is { } failure && read.DateOrderFrom != "ambiguous")
            {
                return Bad($"The file cannot be imported as sent: {failure}. Preview it to choose a layout or map its columns.");
            }

            if (buffer.Length > 0)
            {
                await jobs.AppendAsync(id.Value, seq, buffer.GetBuffer().AsMemory(0, (int)buffer.Length), cancellationToken);
            }

            await jobs.DescribeAsync(id.Value, ImportFormats.Name(read), Path.GetFileName(form.FileName), settings, cancellationToken);
            if (await jobs.ActiveForAsync(tenantId, cancellationToken) > limits.MaxQueuedPerTenant)
            {
                // Another upload of the same organisation was queued while this one streamed in.
                return TooBusy(request, tenantId, limits);
            }

            await jobs.QueueAsync(id.Value, bytes, cancellationToken);
            keep = true;
            signal.Set();
            var progress = await jobs.FindAsync(id.Value, cancellationToken);
            return TypedResults.Accepted($"{request.PathBase}/api/tenants/{Uri.EscapeDataString(tenantId)}/imports/{id}", progress);
        }
        finally
        {
            if (!keep && id is { } discard)
            {
                await jobs.DiscardAsync(discard, CancellationToken.None);
            }
        }
    }

    private static async Task<Results<Ok<ImportProgress>, ProblemHttpResult>> GetAsync(
        string tenantId, Guid id, ImportJobs jobs, CancellationToken cancellationToken) =>
        // The organisation filter has checked the caller's role in {tenantId}; another organisation's import is "unknown".
        await jobs.FindAsync(id, cancellationToken) is { } progress && progress.TenantId == tenantId
            ? TypedResults.Ok(progress)
            : UnknownImport(id);

    private static async Task<Results<RedirectHttpResult, ProblemHttpResult>> MovedAsync(
        Guid id, ImportJobs jobs, HttpContext http, OrgAccess access)
    {
        // The route has no organisation, so the import's own is checked: another organisation's import is "unknown".
        if (await jobs.FindAsync(id, http.RequestAborted) is { } progress
            && await access.RoleInAsync(http.User, progress.TenantId, http.RequestAborted) is not null)
        {
            return TypedResults.Redirect($"/api/tenants/{Uri.EscapeDataString(progress.TenantId)}/imports/{id}", permanent: true, preserveMethod: true);
        }

        return UnknownImport(id);
    }

    private static ProblemHttpResult UnknownImport(Guid id) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown import", detail: $"There is no import '{id}'.");

    /// <summary>What the multipart body held besides the file, or why it was refused.</summary>
    private sealed record Form(string? FileName, string? Format, string? Mapping, string? DateOrder, bool Partial, ProblemHttpResult? Problem)
    {
        public string? SettingsProblem { get; set; }
    }

    /// <summary>Streams the first file part to <paramref name="onChunk"/> (which may refuse it); reads the small fields.</summary>
    private static async Task<Form> ReadFormAsync(
        HttpRequest request, string boundary, Func<ReadOnlyMemory<byte>, CancellationToken, Task<ProblemHttpResult?>> onChunk, CancellationToken cancellationToken)
    {
        var reader = new MultipartReader(boundary, request.Body);
        string? fileName = null;
        var fields = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            while (await reader.ReadNextSectionAsync(cancellationToken) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition))
                {
                    continue;
                }

                if (disposition.IsFileDisposition() && fileName is null)
                {
                    fileName = HeaderUtilities.RemoveQuotes(disposition.FileName.HasValue ? disposition.FileName : disposition.FileNameStar).Value ?? "upload.csv";
                    var buffer = new byte[64 * 1024];
                    int read;
                    while ((read = await section.Body.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        if (await onChunk(buffer.AsMemory(0, read), cancellationToken) is { } refused)
                        {
                            return new Form(fileName, null, null, null, false, refused);
                        }
                    }
                }
                else if (disposition.IsFormDisposition() && HeaderUtilities.RemoveQuotes(disposition.Name).Value is { } name)
                {
                    using var text = new StreamReader(section.Body);
                    var value = new char[16 * 1024];
                    var length = await text.ReadBlockAsync(value, cancellationToken);
                    fields[name] = new string(value, 0, length).Trim();
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return new Form(fileName, null, null, null, false, Bad($"The form could not be read: {ex.Message}"));
        }

        return new Form(fileName, fields.GetValueOrDefault("format") ?? request.Query["format"].FirstOrDefault(), fields.GetValueOrDefault("mapping"),
            fields.GetValueOrDefault("dateOrder") ?? request.Query["dateOrder"].FirstOrDefault(),
            string.Equals(fields.GetValueOrDefault("partial"), "true", StringComparison.OrdinalIgnoreCase), null);
    }

    /// <summary>The form's format, mapping and date order as settings; null (with <see cref="Form.SettingsProblem"/>) when one is not understood.</summary>
    private static ImportSettings? Settings(Form form)
    {
        var layout = form.Format is { Length: > 0 } format ? format : null;
        if (layout is not null && ImportLayouts.Find(layout) is null && layout != ImportLayouts.Custom)
        {
            form.SettingsProblem = $"format '{layout}' is not one of {string.Join(", ", ImportLayouts.Known.Select(l => l.Name))}.";
            return null;
        }

        DateOrder? order = null;
        if (form.DateOrder is { Length: > 0 } dateOrder)
        {
            order = dateOrder.ToLowerInvariant() switch
            {
                "day-first" or "dmy" or "dayfirst" => DateOrder.DayFirst,
                "month-first" or "mdy" or "monthfirst" => DateOrder.MonthFirst,
                _ => null,
            };
            if (order is null)
            {
                form.SettingsProblem = $"dateOrder '{dateOrder}' is neither day-first nor month-first.";
                return null;
            }
        }

        Dictionary<ImportField, string>? mapping = null;
        if (form.Mapping is { Length: > 0 } json)
        {
            Dictionary<string, string?>? raw;
            try
            {
                raw = JsonSerializer.Deserialize<Dictionary<string, string?>>(json);
            }
            catch (JsonException)
            {
                raw = null;
            }

            if (raw is null)
            {
                form.SettingsProblem = "mapping is not a JSON object of field → column header, like {\"orderId\":\"Invoice\",\"date\":\"When\",\"total\":\"Amount\"}.";
                return null;
            }

            mapping = [];
            foreach (var (key, header) in raw)
            {
                if (string.IsNullOrWhiteSpace(header))
                {
                    continue;
                }

                if (!Enum.TryParse<ImportField>(key, ignoreCase: true, out var field) || !Enum.IsDefined(field) || int.TryParse(key, out _))
                {
                    form.SettingsProblem = $"mapping names '{key}', which is not one of {string.Join(", ", Enum.GetNames<ImportField>().Select(JsonNamingPolicy.CamelCase.ConvertName))}.";
                    return null;
                }

                mapping[field] = header;
            }
        }

        return new ImportSettings(layout == ImportLayouts.Custom ? null : layout, mapping is { Count: > 0 } ? mapping : null, order);
    }

    private static string DateOrderName(DateOrder order) => order == DateOrder.DayFirst ? "day-first" : "month-first";

    private static string? Boundary(HttpRequest request) =>
        request.HasFormContentType
        && MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
        && HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is { Length: > 0 } boundary
            ? boundary
            : null;


    private static ProblemHttpResult TooLarge(long maxBytes) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "File too large",
            detail: $"Imports take files up to {Size(maxBytes)}; split larger exports and import the parts one after another.");

    private static ProblemHttpResult TooBusy(HttpRequest request, string tenantId, ImportOptions limits)
    {
        request.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        return TypedResults.Problem(statusCode: StatusCodes.Status429TooManyRequests, title: "Too many imports",
            detail: $"'{tenantId}' already has {limits.MaxQueuedPerTenant} import(s) queued or running, the most allowed at once; "
                + "send this one again when one of them has finished.");
    }

    private static string Size(long bytes) => bytes >= 1024 * 1024 && bytes % (1024 * 1024) == 0
        ? $"{bytes / (1024 * 1024)} MB"
        : $"{bytes.ToString("N0", CultureInfo.InvariantCulture)} bytes";

    /// <summary>
    /// A disconnected store takes no data from any source, files included (its history stays as it was when it was
    /// disconnected); refused before the body is read. A deleted store never gets here: the store-scoped group answers 404.
    /// </summary>
    private static ProblemHttpResult? Disconnected(StoreProfile store) => store.DisconnectedAt is { } at
        ? TypedResults.Problem(statusCode: StatusCodes.Status409Conflict, title: "Store disconnected",
            detail: ImportAdmission.DisconnectedDetail(store, at))
        : null;

    private static ProblemHttpResult Bad(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid import", detail: detail);
}
