using System.Globalization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Stores;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Imports;

/// <summary>
/// History imports: POST a CSV (multipart, field "file"; optional "format" = shopify-orders | online-retail, else
/// recognised by its header) to /{tenantId}/{storeId} and get 202 with the import's id; GET /{id} for progress,
/// rows/s, ETA and rejected rows with their line numbers. The upload is streamed to a spool file, never held in
/// memory; a file over Imports:MaxUploadBytes is a 413 and an organisation with Imports:MaxQueuedPerTenant imports
/// queued or running gets a 429, both problem+json.
/// </summary>
public static class ImportsApi
{
    /// <summary>How long a refused (too busy) sender is told to wait: about one ordinary import.</summary>
    private const int RetryAfterSeconds = 30;

    /// <summary>Multipart headers and the format field around the file; generous, as it only bounds the early Content-Length check.</summary>
    private const long FormOverheadBytes = 64 * 1024;

    public static IServiceCollection AddSalesDashImports(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddOptions<ImportOptions>()
            .BindConfiguration(ImportOptions.Section)
            .Validate(o => o.MaxUploadBytes > 0, "Imports:MaxUploadBytes must be positive.")
            .Validate(o => o.MaxQueuedPerTenant > 0, "Imports:MaxQueuedPerTenant must be positive.")
            .ValidateOnStart();
        services.AddSingleton<ImportJobs>();
        services.AddHostedService<ImportWorker>();
        return services;
    }

    public static RouteGroupBuilder MapImportsApi(this RouteGroupBuilder group)
    {
        ArgumentNullException.ThrowIfNull(group);
        group.MapPost("/{tenantId}/{storeId}", UploadAsync).WithName("StartImport").RequireOrgRole(OrgRole.Admin).DisableAntiforgery();
        group.MapGet("/{id:guid}", Get).WithName("GetImport").RequireOrgRole(OrgRole.Viewer);
        return group;
    }

    private static async Task<Results<Accepted<ImportProgress>, ProblemHttpResult>> UploadAsync(
        string tenantId, string storeId, HttpRequest request, IStoreDirectory stores, ImportJobs jobs, IOptions<ImportOptions> options,
        TimeProvider time, CancellationToken cancellationToken)
    {
        var limits = options.Value;
        var store = await stores.GetAsync(new StoreRef(tenantId, storeId), cancellationToken);
        if (store is null)
        {
            return StoreScope.UnknownStore(tenantId, storeId);
        }

        // Refused before a byte of the body is read: a busy organisation or an oversized file costs nothing to turn away.
        if (jobs.ActiveFor(tenantId) >= limits.MaxQueuedPerTenant)
        {
            return TooBusy(request, tenantId, limits);
        }

        if (request.ContentLength > limits.MaxUploadBytes + FormOverheadBytes)
        {
            return TooLarge(limits);
        }

        if (!request.HasFormContentType
            || !MediaTypeHeaderValue.TryParse(request.ContentType, out var contentType)
            || HeaderUtilities.RemoveQuotes(contentType.Boundary).Value is not { Length: > 0 } boundary)
        {
            return Bad("Send the CSV as multipart/form-data in a field named \"file\".");
        }

        // The server's own cap (30 MB by default) would cut the stream off before ours with a bare 413.
        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } bodySize)
        {
            bodySize.MaxRequestBodySize = limits.MaxUploadBytes + FormOverheadBytes;
        }

        Directory.CreateDirectory(limits.SpoolPath);
        var spool = Path.Combine(limits.SpoolPath, $"{Guid.NewGuid():N}.upload");
        var keep = false;
        try
        {
            var upload = await SpoolAsync(request, boundary, spool, limits.MaxUploadBytes, cancellationToken);
            switch (upload)
            {
                case { Problem: { } problem }:
                    return problem;
                case { FileName: null } or { Bytes: 0 }:
                    return Bad("The form has no file, or the file is empty: send the CSV in a field named \"file\".");
            }

            var requested = upload.Format ?? request.Query["format"].FirstOrDefault();
            if (!ImportFormats.TryParse(requested, out var format))
            {
                return Bad($"format '{requested}' is not one of shopify-orders, online-retail.");
            }

            format ??= await SniffAsync(spool, cancellationToken);
            if (format is null)
            {
                return Bad("The file's header is neither Shopify's order export (Name, ..., Lineitem quantity, ...) nor Online Retail "
                    + "(InvoiceNo, StockCode, ...); name the format with format=shopify-orders or format=online-retail.");
            }

            var now = time.GetUtcNow();
            var job = new ImportJob(Guid.NewGuid(), store.Store, format.Value, Path.GetFileName(upload.FileName), spool, now);
            if (!jobs.TryEnqueue(job, limits.MaxQueuedPerTenant))
            {
                // Another upload of the same organisation was queued while this one streamed in.
                return TooBusy(request, tenantId, limits);
            }

            keep = true;
            return TypedResults.Accepted($"{request.PathBase}/api/imports/{job.Id}", job.Progress(now));
        }
        finally
        {
            if (!keep)
            {
                File.Delete(spool);
            }
        }
    }

    private static async Task<Results<Ok<ImportProgress>, ProblemHttpResult>> Get(
        Guid id, ImportJobs jobs, TimeProvider time, HttpContext http, OrgAccess access)
    {
        // The route has no organisation, so the import's own is checked: another organisation's import is "unknown".
        if (jobs.Find(id) is { } job && await access.RoleInAsync(http.User, job.Store.TenantId, http.RequestAborted) is not null)
        {
            return TypedResults.Ok(job.Progress(time.GetUtcNow()));
        }

        return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown import", detail: $"There is no import '{id}'.");
    }

    /// <summary>What the multipart body held: the file (already on disk), its size, the format field, or why it was refused.</summary>
    private sealed record Upload(string? FileName, long Bytes, string? Format, ProblemHttpResult? Problem);

    /// <summary>Streams the first file part to <paramref name="spool"/>, counting bytes; reads the small "format" field.</summary>
    private static async Task<Upload> SpoolAsync(HttpRequest request, string boundary, string spool, long maxBytes, CancellationToken cancellationToken)
    {
        var reader = new MultipartReader(boundary, request.Body);
        string? fileName = null;
        string? format = null;
        long bytes = 0;
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
                    await using var file = new FileStream(spool, FileMode.CreateNew, FileAccess.Write, FileShare.None, 64 * 1024, useAsync: true);
                    var buffer = new byte[64 * 1024];
                    int read;
                    while ((read = await section.Body.ReadAsync(buffer, cancellationToken)) > 0)
                    {
                        bytes += read;
                        if (bytes > maxBytes)
                        {
                            return new Upload(fileName, bytes, format, TooLarge(maxBytes));
                        }

                        await file.WriteAsync(buffer.AsMemory(0, read), cancellationToken);
                    }
                }
                else if (disposition.IsFormDisposition() && HeaderUtilities.RemoveQuotes(disposition.Name).Value == "format")
                {
                    using var text = new StreamReader(section.Body);
                    var value = new char[64];
                    var length = await text.ReadBlockAsync(value, cancellationToken);
                    format = new string(value, 0, length).Trim();
                }
            }
        }
        catch (Exception ex) when (ex is InvalidDataException or IOException && !cancellationToken.IsCancellationRequested)
        {
            return new Upload(fileName, bytes, format, Bad($"The form could not be read: {ex.Message}"));
        }

        return new Upload(fileName, bytes, format, null);
    }

    private static async Task<ImportFormat?> SniffAsync(string spool, CancellationToken cancellationToken)
    {
        await using var file = File.OpenRead(spool);
        var head = new byte[4096];
        var read = await file.ReadAtLeastAsync(head, head.Length, throwOnEndOfStream: false, cancellationToken);
        return ImportFormats.Sniff(head.AsSpan(0, read));
    }

    private static ProblemHttpResult TooLarge(ImportOptions limits) => TooLarge(limits.MaxUploadBytes);

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

    private static ProblemHttpResult Bad(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid import", detail: detail);
}
