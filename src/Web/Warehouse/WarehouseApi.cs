using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.DependencyInjection.Extensions;
using SalesDash.Engine.Clustering;
using SalesDash.Web.Identity;
using SalesDash.Web.Outbound;
using SalesDash.Web.Plans;

namespace SalesDash.Web.Warehouse;

/// <summary>What an owner sends to connect a warehouse; a missing password keeps the stored one.</summary>
public sealed record WarehouseRequest(string? Kind, string? Host, int? Port, string? Database, string? Username, string? Password, bool? Tls, int? IntervalMinutes);

/// <summary>A connection as the settings page shows it: never the password, only whether there is one.</summary>
public sealed record WarehouseView(
    string Kind, string Host, int Port, string Database, string Username, bool HasPassword, bool Tls, int IntervalMinutes,
    DateTimeOffset? LastRunAt, DateTimeOffset? LastSuccessAt, string? LastError, long? LastRowsWritten)
{
    public static WarehouseView Of(WarehouseConnection c)
    {
        ArgumentNullException.ThrowIfNull(c);
        var s = c.Settings;
        return new(s.Kind.ToString(), s.Host, s.Port, s.Database, s.Username, !string.IsNullOrEmpty(s.Password), s.Tls, (int)c.Interval.TotalMinutes,
            c.LastRunAt, c.LastSuccessAt, c.LastError, c.LastRowsWritten);
    }
}

/// <summary>
/// /api/tenants/{tenantId}/warehouse (Enterprise): connect the organisation's PostgreSQL or ClickHouse, see how the
/// last sync went, run one now (optionally from scratch), disconnect. The connection is tried before it is saved.
/// </summary>
public static partial class WarehouseApi
{
    public const int MinIntervalMinutes = 5;
    public const int MaxIntervalMinutes = 7 * 24 * 60;

    public static RouteGroupBuilder MapWarehouseApi(this RouteGroupBuilder api)
    {
        ArgumentNullException.ThrowIfNull(api);
        var warehouse = api.MapGroup("/tenants/{tenantId}/warehouse");
        warehouse.MapGet("/", GetAsync).WithName("GetWarehouse").RequireOrgRole(OrgRole.Admin);
        warehouse.MapPut("/", PutAsync).WithName("SaveWarehouse").RequireOrgRole(OrgRole.Owner).RequirePlanFeature(PlanFeature.DataWarehouse);
        warehouse.MapDelete("/", DeleteAsync).WithName("DeleteWarehouse").RequireOrgRole(OrgRole.Owner);
        warehouse.MapPost("/sync", SyncAsync).WithName("SyncWarehouse").RequireOrgRole(OrgRole.Owner).RequirePlanFeature(PlanFeature.DataWarehouse);
        warehouse.MapGet("/parquet/{table}", ParquetAsync).WithName("ExportWarehouseParquet").RequireOrgRole(OrgRole.Admin).RequirePlanFeature(PlanFeature.DataWarehouse);
        return api;
    }

    /// <summary>Options, the encrypted connection store, the targets, the sync and (unless Warehouse:Enabled is false) its cluster job.</summary>
    public static IServiceCollection AddWarehouse(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        services.AddOptions<WarehouseOptions>().Bind(configuration.GetSection(WarehouseOptions.Section))
            .Validate(o => o.CheckInterval > TimeSpan.Zero && o.PageSize is > 0 and <= 100_000 && o.LookBack >= TimeSpan.Zero,
                "Warehouse:CheckInterval must be positive, Warehouse:PageSize 1 to 100000, Warehouse:LookBack not negative.")
            .ValidateOnStart();
        services.TryAddSingleton<IWarehouseConnectionStore, EfWarehouseConnectionStore>();
        services.TryAddSingleton<IWarehouseTargetFactory, WarehouseTargetFactory>();
        services.TryAddSingleton<WarehouseSync>();
        services.TryAddSingleton<WarehouseSyncJob>();
        services.TryAddSingleton<WarehouseParquetExport>();
        if (configuration.GetValue(WarehouseOptions.Section + ":" + nameof(WarehouseOptions.Enabled), true))
        {
            // A cluster job: one node copies each organisation, so two nodes never write the same pages at once.
            services.AddSingleton<IClusterJob>(sp => sp.GetRequiredService<WarehouseSyncJob>());
        }

        return services;
    }

    private static async Task<Results<Ok<WarehouseView>, ProblemHttpResult>> GetAsync(string tenantId, IWarehouseConnectionStore connections, CancellationToken cancellationToken) =>
        await connections.GetAsync(tenantId, cancellationToken) is { } connection ? TypedResults.Ok(WarehouseView.Of(connection)) : NotConnected(tenantId);

    private static async Task<Results<Ok<WarehouseView>, ValidationProblem, ProblemHttpResult>> PutAsync(
        string tenantId, WarehouseRequest? request, IWarehouseConnectionStore connections, IWarehouseTargetFactory targets, TimeProvider time,
        CancellationToken cancellationToken)
    {
        var existing = await connections.GetAsync(tenantId, cancellationToken);
        var (settings, interval, errors) = Validate(request, existing?.Settings);
        if (settings is null)
        {
            return TypedResults.ValidationProblem(errors, title: "The warehouse connection is not valid");
        }

        // Tried before it is saved: the tables are made now, so a wrong password or a refused host is said here, not at 3 a.m.
        try
        {
            await using var target = await targets.OpenAsync(settings, cancellationToken);
            await target.EnsureSchemaAsync(cancellationToken);
        }
        catch (OutboundRefusedException e)
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["host"] = [e.Message] }, title: "The warehouse connection is not valid");
        }
        catch (Exception e) when (e is WarehouseException or Npgsql.NpgsqlException or HttpRequestException or IOException or TimeoutException
                                  || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return Unreachable(e);
        }

        await connections.SaveAsync(tenantId, settings, interval, time.GetUtcNow(), cancellationToken);
        return TypedResults.Ok(WarehouseView.Of((await connections.GetAsync(tenantId, cancellationToken))!));
    }

    private static async Task<Results<NoContent, ProblemHttpResult>> DeleteAsync(string tenantId, IWarehouseConnectionStore connections, CancellationToken cancellationToken) =>
        await connections.DeleteAsync(tenantId, cancellationToken) ? TypedResults.NoContent() : NotConnected(tenantId);

    /// <summary>Runs a sync now; <paramref name="full"/> forgets the watermarks first, so everything is copied again.</summary>
    private static async Task<Results<Ok<WarehouseSyncResult>, ProblemHttpResult>> SyncAsync(
        string tenantId, bool? full, IWarehouseConnectionStore connections, WarehouseSync sync, CancellationToken cancellationToken)
    {
        if (await connections.GetAsync(tenantId, cancellationToken) is null)
        {
            return NotConnected(tenantId);
        }

        if (full == true)
        {
            await connections.ResetWatermarksAsync(tenantId, cancellationToken);
        }

        try
        {
            return TypedResults.Ok(await sync.RunAsync(tenantId, cancellationToken));
        }
        catch (Exception e) when (e is WarehouseException or OutboundRefusedException or Npgsql.NpgsqlException or HttpRequestException or IOException
                                  || (e is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return Unreachable(e);
        }
    }

    /// <summary>
    /// One table of the organisation as a Parquet file made by DuckDB; needs no warehouse connection. The file is
    /// written to a temporary folder and deleted once sent.
    /// </summary>
    private static async Task<Results<FileStreamHttpResult, ProblemHttpResult>> ParquetAsync(
        string tenantId, string table, WarehouseParquetExport export, CancellationToken cancellationToken)
    {
        if (!WarehouseParquetExport.Tables.Contains(table))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No such table",
                detail: $"'{table}' is not a warehouse table; Parquet files are made of {string.Join(", ", WarehouseParquetExport.Tables)}.");
        }

        var folder = Directory.CreateTempSubdirectory("salesdash-parquet-").FullName;
        try
        {
            var file = await export.WriteAsync(tenantId, table, folder, cancellationToken);
            var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read | FileShare.Delete, 81920, FileOptions.Asynchronous);
            return TypedResults.File(stream, "application/vnd.apache.parquet", $"{tenantId}-{table}.parquet");
        }
        finally
        {
            // The open stream still reads the file once its name is gone (FileShare.Delete), so nothing is left on disk after the send.
            Directory.Delete(folder, recursive: true);
        }
    }

    private static (WarehouseSettings? Settings, TimeSpan Interval, Dictionary<string, string[]> Errors) Validate(WarehouseRequest? request, WarehouseSettings? existing)
    {
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        if (request is null)
        {
            errors["body"] = ["Send kind, host, port, database, username, password, tls and intervalMinutes."];
            return (null, TimeSpan.Zero, errors);
        }

        if (!Enum.TryParse<WarehouseKind>(request.Kind, ignoreCase: true, out var kind) || !Enum.IsDefined(kind) || int.TryParse(request.Kind, out _))
        {
            errors["kind"] = ["Kind is PostgreSql or ClickHouse."];
        }

        var host = request.Host?.Trim() ?? string.Empty;
        if (host.Length is 0 or > 253 || !HostName().IsMatch(host))
        {
            errors["host"] = ["A host name or IP address (letters, digits, dots, hyphens; IPv6 in brackets is not needed)."];
        }

        if (request.Port is not (> 0 and <= 65535))
        {
            errors["port"] = ["A port from 1 to 65535 (PostgreSQL usually 5432, ClickHouse HTTP 8123 or 8443 with TLS)."];
        }

        if (string.IsNullOrWhiteSpace(request.Database) || !Name().IsMatch(request.Database.Trim()))
        {
            errors["database"] = ["A database name of 1 to 63 letters, digits, underscores, hyphens or dots."];
        }

        if (string.IsNullOrWhiteSpace(request.Username) || !Name().IsMatch(request.Username.Trim()))
        {
            errors["username"] = ["A user name of 1 to 63 letters, digits, underscores, hyphens or dots."];
        }

        var interval = request.IntervalMinutes ?? 60;
        if (interval is < MinIntervalMinutes or > MaxIntervalMinutes)
        {
            errors["intervalMinutes"] = [$"Between {MinIntervalMinutes} minutes and 7 days."];
        }

        if (errors.Count > 0)
        {
            return (null, TimeSpan.Zero, errors);
        }

        // An edit that leaves the password out keeps the stored one, so the page never has to show it.
        var password = request.Password ?? existing?.Password;
        return (new WarehouseSettings(kind, host, request.Port!.Value, request.Database!.Trim(), request.Username!.Trim(), password, request.Tls ?? false),
            TimeSpan.FromMinutes(interval), errors);
    }

    private static ProblemHttpResult NotConnected(string tenantId) =>
        TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "No warehouse connection", detail: $"'{tenantId}' has no data warehouse connection.");

    private static ProblemHttpResult Unreachable(Exception e) =>
        TypedResults.Problem(statusCode: StatusCodes.Status502BadGateway, title: "The warehouse did not accept the connection", detail: e.Message);

    [GeneratedRegex(@"^[A-Za-z0-9]([A-Za-z0-9\-\.:]*[A-Za-z0-9])?$")]
    private static partial Regex HostName();

    [GeneratedRegex(@"^[A-Za-z0-9_\-\.]{1,63}$")]
    private static partial Regex Name();
}
