using System.Diagnostics.Metrics;
using System.Security.Claims;
using SalesDash.Web.Identity;

namespace SalesDash.Web.Audit;

/// <summary>What an endpoint adds to its audit entry: a short before → after of a settings change. Never a secret.</summary>
public sealed class AuditNote
{
    public string? Summary { get; set; }
}

public static class AuditNotes
{
    /// <summary>Records <paramref name="summary"/> on this request's audit entry (e.g. "tier Starter → Growth").</summary>
    public static void Note(this HttpContext http, string summary)
    {
        ArgumentNullException.ThrowIfNull(http);
        http.Features.Get<AuditNote>()?.Summary = summary;
    }
}

/// <summary>
/// Records every POST, PUT, PATCH and DELETE under /api by an authenticated member, whether it succeeded or was
/// refused: time, organisation, actor, endpoint, route values and status. It runs outside everything else, so a
/// member's request refused by authorization, a plan limit or validation is recorded as refused, and a crash as failed.
/// Requests from anyone else (not signed in, or not a member of the organisation they aim at) are not stored one row
/// each, or anyone could grow any organisation's log without bound; they are counted in the
/// "salesdash.audit.unrecorded" metric. Bodies are never recorded: they carry credentials and passwords.
/// </summary>
public sealed partial class AuditMiddleware(
    RequestDelegate next, IAuditLog log, TimeProvider time, OrgAccess access, AuditMetrics metrics, ILogger<AuditMiddleware> logger)
{
    /// <summary>Route values that may hold a secret (a share token); recorded as "(hidden)".</summary>
    private static readonly HashSet<string> SecretRouteValues = new(StringComparer.OrdinalIgnoreCase) { "token", "secret", "password", "key", "apiKey" };

    public async Task InvokeAsync(HttpContext http)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!IsAudited(http.Request))
        {
            await next(http);
            return;
        }

        var note = new AuditNote();
        http.Features.Set(note);
        var at = time.GetUtcNow();
        var status = StatusCodes.Status500InternalServerError;
        try
        {
            await next(http);
            status = http.Response.StatusCode;
        }
        finally
        {
            await RecordAsync(http, at, status, note.Summary);
        }
    }

    private static bool IsAudited(HttpRequest request) =>
        request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase)
        && (HttpMethods.IsPost(request.Method) || HttpMethods.IsPut(request.Method) || HttpMethods.IsPatch(request.Method) || HttpMethods.IsDelete(request.Method));

    private async Task RecordAsync(HttpContext http, DateTimeOffset at, int status, string? summary)
    {
        var endpoint = http.GetEndpoint();
        var pattern = (endpoint as RouteEndpoint)?.RoutePattern.RawText;
        var action = endpoint?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName
            ?? (pattern is null ? $"{http.Request.Method} (no such endpoint)" : $"{http.Request.Method} {pattern}");
        var values = http.Request.RouteValues;
        var tenant = values.TryGetValue("tenantId", out var t) ? t?.ToString() : null;
        var target = values
            .Where(v => v.Key != "tenantId" && v.Value is not null)
            .ToDictionary(v => v.Key, v => SecretRouteValues.Contains(v.Key) ? "(hidden)" : v.Value!.ToString() ?? string.Empty, StringComparer.Ordinal);
        var user = http.User;
        if (!await IsMemberActionAsync(user, tenant, status))
        {
            metrics.Unrecorded(user.Identity?.IsAuthenticated == true ? "not-a-member" : "anonymous", OutcomeOf(status));
            return;
        }

        var entry = new AuditEntry(
            0, at, tenant,
            user.FindFirstValue(ClaimTypes.NameIdentifier),
            user.FindFirstValue(ClaimTypes.Email),
            user.FindFirstValue(SalesDashClaims.ApiKeyId),
            action, http.Request.Method, PathWithoutSecrets(http, target), target, status, OutcomeOf(status), summary);
        try
        {
            // Not the request's token: a client that hangs up after sending a change must still leave its trace.
            await log.AppendAsync(entry, CancellationToken.None);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            LogFailed(logger, ex, action, status);
        }
    }

    /// <summary>
    /// True for a signed-in person or API key acting on their own organisation (or on none, like creating one). A change
    /// that succeeded was allowed, so it counts even when the actor is no longer a member (someone leaving).
    /// </summary>
    private async Task<bool> IsMemberActionAsync(ClaimsPrincipal user, string? tenant, int status)
    {
        if (user.Identity?.IsAuthenticated != true)
        {
            return false;
        }

        if (tenant is null || status < StatusCodes.Status400BadRequest)
        {
            return true;
        }

        try
        {
            return await access.RoleInAsync(user, tenant, CancellationToken.None) is not null;
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // Cannot tell: keep the trace rather than lose a member's refused change.
            LogMembershipUnknown(logger, ex, tenant);
            return true;
        }
    }

    /// <summary>The path, with any secret route value replaced by what <paramref name="target"/> shows.</summary>
    private static string PathWithoutSecrets(HttpContext http, Dictionary<string, string> target)
    {
        var path = http.Request.Path.Value ?? string.Empty;
        foreach (var (key, value) in http.Request.RouteValues)
        {
            if (SecretRouteValues.Contains(key) && value?.ToString() is { Length: > 0 } secret)
            {
                path = path.Replace(secret, target[key], StringComparison.Ordinal);
            }
        }

        return path;
    }

    public static string OutcomeOf(int status) => status switch
    {
        >= 500 => "failed",
        >= 400 => "refused",
        _ => "succeeded",
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Could not record audit entry for {Action} ({Status})")]
    private static partial void LogFailed(ILogger logger, Exception exception, string action, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not check membership of {Tenant} for an audit entry; recording it")]
    private static partial void LogMembershipUnknown(ILogger logger, Exception exception, string tenant);
}

/// <summary>The audit log's counters: changes attempted by callers whose requests are not stored one row each.</summary>
public sealed class AuditMetrics
{
    public const string MeterName = "SalesDash.Audit";

    private readonly Counter<long> _unrecorded;

    public AuditMetrics(IMeterFactory meters)
    {
        ArgumentNullException.ThrowIfNull(meters);
        _unrecorded = meters.Create(MeterName).CreateCounter<long>("salesdash.audit.unrecorded", unit: "{request}",
            description: "Mutating /api requests from callers who are not members of the organisation (or not signed in), counted instead of stored.");
    }

    public void Unrecorded(string caller, string outcome) =>
        _unrecorded.Add(1, new KeyValuePair<string, object?>("caller", caller), new KeyValuePair<string, object?>("outcome", outcome));
}
