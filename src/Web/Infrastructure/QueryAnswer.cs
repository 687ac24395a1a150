using Microsoft.AspNetCore.Http.HttpResults;

namespace SalesDash.Web;

/// <summary>Why a query service could not answer (bad input, nothing there), as a handler or an export reports it.</summary>
public sealed record QueryRefusal(int Status, string Title, string Detail)
{
    public static QueryRefusal BadRequest(string title, string detail) => new(StatusCodes.Status400BadRequest, title, detail);

    public static QueryRefusal NotFound(string title, string detail) => new(StatusCodes.Status404NotFound, title, detail);

    public ProblemHttpResult ToProblem() => TypedResults.Problem(statusCode: Status, title: Title, detail: Detail);
}

/// <summary>
/// What a query service answers: the read model, or why not. Handlers and exports call the same service and each
/// turns the answer into its own response, so no one calls another handler and unwraps its typed result.
/// </summary>
public sealed record QueryAnswer<T>(T? Value, QueryRefusal? Refusal)
    where T : class
{
    public static implicit operator QueryAnswer<T>(T value) => new(value, null);

    public static implicit operator QueryAnswer<T>(QueryRefusal refusal) => new(null, refusal);

    /// <summary>The answer as an endpoint's typed result: 200 with the value, or the refusal as problem+json.</summary>
    public Results<Ok<T>, ProblemHttpResult> ToResult() => Refusal is { } refusal ? refusal.ToProblem() : TypedResults.Ok(Value!);
}
