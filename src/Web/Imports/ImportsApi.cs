using Microsoft.AspNetCore.Http.HttpResults;
using SalesDash.Contracts.Commerce;
using SalesDash.Engine.Stores;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Imports;

/// <summary>
/// History imports: POST a CSV (multipart, field "file"; optional "format" = shopify-orders | online-retail, else
/// recognised by its header) to /{tenantId}/{storeId} and get 202 with the import's id; GET /{id} for progress,
/// rows/s, ETA and rejected rows with their line numbers.
/// </summary>
public static class ImportsApi
{
    /// <summary>A year of a busy shop's order export fits well inside this; bigger files should be split.</summary>
    public const long MaxUploadBytes = 256L * 1024 * 1024;

    public static IServiceCollection AddSalesDashImports(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
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
        string tenantId, string storeId, HttpRequest request, IStoreDirectory stores, ImportJobs jobs, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var store = await stores.GetAsync(new StoreRef(tenantId, storeId), cancellationToken);
        if (store is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Unknown store", detail: $"There is no store '{storeId}' in '{tenantId}'.");
        }

        if (!request.HasFormContentType)
        {
            return Bad("Send the CSV as multipart/form-data in a field named \"file\".");
        }

        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            return Bad($"The form could not be read: {ex.Message}");
        }

        var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
        if (file is null || file.Length == 0)
        {
            return Bad("The form has no file, or the file is empty: send the CSV in a field named \"file\".");
        }

        if (file.Length > MaxUploadBytes)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "File too large",
                detail: $"Imports take files up to {MaxUploadBytes / (1024 * 1024)} MB; split larger exports.");
        }

        var requested = form["format"].FirstOrDefault() ?? request.Query["format"].FirstOrDefault();
        if (!ImportFormats.TryParse(requested, out var format))
        {
            return Bad($"format '{requested}' is not one of shopify-orders, online-retail.");
        }

        using var content = new MemoryStream((int)file.Length);
        await file.CopyToAsync(content, cancellationToken);
        var bytes = content.ToArray();
        format ??= ImportFormats.Sniff(bytes.AsSpan(0, Math.Min(bytes.Length, 4096)));
        if (format is null)
        {
            return Bad("The file's header is neither Shopify's order export (Name, ..., Lineitem quantity, ...) nor Online Retail "
                + "(InvoiceNo, StockCode, ...); name the format with format=shopify-orders or format=online-retail.");
        }

        var now = time.GetUtcNow();
        var job = jobs.Enqueue(new ImportJob(Guid.NewGuid(), store.Store, format.Value, Path.GetFileName(file.FileName), bytes, now));
        return TypedResults.Accepted($"{request.PathBase}/api/imports/{job.Id}", job.Progress(now));
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

    private static ProblemHttpResult Bad(string detail) =>
        TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Invalid import", detail: detail);
}
