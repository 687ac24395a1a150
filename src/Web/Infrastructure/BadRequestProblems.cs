using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Http.Metadata;

namespace SalesDash.Web;

/// <summary>
/// Requests the framework refuses before a handler runs (a query value that is not a number, or too big for one; a
/// body that is not JSON) answered as problem+json that says what was wrong, as the handlers' own refusals do. Left to
/// the framework they reached the status-code page as a bare "Bad Request", with nothing to say which parameter.
/// </summary>
/// <remarks>
/// Two paths, because the compile-time request delegates refuse in two ways: some throw a
/// <see cref="BadHttpRequestException"/> with the reason (when <see cref="RouteHandlerOptions.ThrowOnBadRequest"/>), and
/// a value that does not parse into an optional parameter only sets 400, saying nothing. For those the reason is found
/// again here, from the endpoint's own parameter metadata and the values sent; only on a refusal, never per request.
/// </remarks>
internal sealed class BadRequestProblems(IProblemDetailsService problems) : IExceptionHandler
{
    private const string NotReadable = "The request is not readable";

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is not BadHttpRequestException refused || httpContext.Response.HasStarted)
        {
            return false;
        }

        httpContext.Response.StatusCode = refused.StatusCode;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails =
            {
                Status = refused.StatusCode,
                Title = refused.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request is too large" : NotReadable,
                // The framework's own words: the parameter, its type and the value sent (already the client's), no internals.
                Detail = refused.Message,
            },
        });
    }

    /// <summary>Fills in a bare 400 from an endpoint with the parameters whose values did not parse.</summary>
    public static void Explain(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (problem.Status != StatusCodes.Status400BadRequest || problem.Detail is not null || context.Exception is not null
            || context.HttpContext.GetEndpoint() is not { } endpoint)
        {
            return;
        }

        var request = context.HttpContext.Request;
        var unreadable = new List<string>();
        foreach (var parameter in endpoint.Metadata.GetOrderedMetadata<IParameterBindingMetadata>())
        {
            if (!parameter.HasTryParse)
            {
                continue;
            }

            var sent = request.RouteValues.TryGetValue(parameter.Name, out var routed) && routed is string route
                ? [route]
                : request.Query[parameter.Name].Where(v => !string.IsNullOrEmpty(v)).Select(v => v!).ToArray();
            var type = parameter.ParameterInfo.ParameterType;
            type = type.IsArray ? type.GetElementType()! : type;
            type = Nullable.GetUnderlyingType(type) ?? type;
            unreadable.AddRange(sent.Where(value => !Parses(type, value))
                .Select(value => $"{parameter.Name} '{value}' is not {Describe(type)}"));
        }

        if (unreadable.Count > 0)
        {
            problem.Title = NotReadable;
            problem.Detail = string.Join("; ", unreadable) + ".";
        }
    }

    private static bool Parses(Type type, string value)
    {
        if (type == typeof(string))
        {
            return true;
        }

        if (type.IsEnum)
        {
            return Enum.TryParse(type, value, ignoreCase: true, out _);
        }

        var withCulture = type.GetMethod("TryParse", BindingFlags.Public | BindingFlags.Static,
            [typeof(string), typeof(IFormatProvider), type.MakeByRefType()]);
        if (withCulture is not null)
        {
            return (bool)withCulture.Invoke(null, [value, CultureInfo.InvariantCulture, null])!;
        }

        var plain = type.GetMethod("TryParse", BindingFlags.Public | BindingFlags.Static, [typeof(string), type.MakeByRefType()]);
        // A type parsed some other way is not second-guessed.
        return plain is null || (bool)plain.Invoke(null, [value, null])!;
    }

    private static string Describe(Type type) => type switch
    {
        _ when type == typeof(int) || type == typeof(long) || type == typeof(short) => "a whole number in range",
        _ when type == typeof(decimal) || type == typeof(double) || type == typeof(float) => "a number",
        _ when type == typeof(bool) => "true or false",
        _ when type == typeof(Guid) => "an id (a GUID)",
        _ when type == typeof(DateOnly) => "a date (yyyy-MM-dd)",
        _ when type == typeof(DateTimeOffset) || type == typeof(DateTime) => "a date and time (ISO 8601)",
        _ when type.IsEnum => "one of " + string.Join(", ", Enum.GetNames(type)),
        _ => "readable as " + type.Name,
    };
}

public static class BadRequestProblemsHosting
{
    /// <summary>problem+json for every error, the framework's own refusals saying what was refused.</summary>
    public static IServiceCollection AddSalesDashProblems(this IServiceCollection services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.AddProblemDetails(options => options.CustomizeProblemDetails = BadRequestProblems.Explain);
        // Outside Development a refused binding only logs and sets 400; thrown, it reaches the handler above with its reason.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        services.AddExceptionHandler<BadRequestProblems>();
        return services;
    }
}
