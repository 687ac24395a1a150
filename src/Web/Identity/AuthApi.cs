using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using SalesDash.Contracts.Stores;
using SalesDash.Engine.Stores;
using SalesDash.Web.Stores;

namespace SalesDash.Web.Identity;

public sealed record SignUpRequest(string? Email, string? Password, string? DisplayName, string? OrganisationName, string? TimeZone, string? ReportingCurrency);

public sealed record SignInRequest(string? Email, string? Password);

public sealed record MeUser(string Id, string Email, string DisplayName);

public sealed record MeOrganisation(string Id, string Name, string Role, string TimeZone, string ReportingCurrency, IReadOnlyList<StoreSummary> Stores);

public sealed record MeResponse(MeUser User, IReadOnlyList<MeOrganisation> Organisations);

/// <summary>Sign-up (a person and their organisation), sign-in and sign-out with the cookie, and who the caller is.</summary>
internal static class AuthApi
{
    public static RouteGroupBuilder MapAuthApi(this RouteGroupBuilder api)
    {
        var auth = api.MapGroup("/auth").AllowAnonymous();
        auth.MapPost("/sign-up", SignUpAsync).WithName("SignUp").RequireSignInRateLimit();
        auth.MapPost("/sign-in", SignInAsync).WithName("SignIn").RequireSignInRateLimit();
        auth.MapPost("/sign-out", SignOutAsync).WithName("SignOut");
        api.MapGet("/me", MeAsync).WithName("GetMe").RequireSignedInUser();
        return api;
    }

    private static async Task<Results<Created<MeResponse>, ValidationProblem, ProblemHttpResult>> SignUpAsync(
        SignUpRequest request, UserManager<AppUser> users, SignInManager<AppUser> signIn, AppIdentityDbContext db,
        IStoreDirectory stores, TimeProvider time, CancellationToken cancellationToken)
    {
        var errors = OrganisationRules.Validate(request.OrganisationName, request.TimeZone, request.ReportingCurrency);
        if (string.IsNullOrWhiteSpace(request.Email) || !request.Email.Contains('@', StringComparison.Ordinal))
        {
            errors["email"] = ["Give an e-mail address."];
        }

        if (string.IsNullOrWhiteSpace(request.DisplayName) || request.DisplayName.Trim().Length > 100)
        {
            errors["displayName"] = ["Give your name (1 to 100 characters)."];
        }

        if (string.IsNullOrEmpty(request.Password))
        {
            errors["password"] = ["Choose a password."];
        }

        if (errors.Count > 0)
        {
            return TypedResults.ValidationProblem(errors, title: "Sign-up is incomplete");
        }

        var email = request.Email!.Trim();
        var user = new AppUser { UserName = email, Email = email, DisplayName = request.DisplayName!.Trim(), CreatedAt = time.GetUtcNow() };
        var created = await users.CreateAsync(user, request.Password!);
        if (!created.Succeeded)
        {
            return TypedResults.ValidationProblem(IdentityErrors(created), title: "Sign-up was refused");
        }

        var organisation = await OrganisationsApi.CreateOrganisationAsync(db, request.OrganisationName!.Trim(), request.TimeZone!,
            request.ReportingCurrency!, time, cancellationToken);
        db.Memberships.Add(new Membership { OrganisationId = organisation.Id, UserId = user.Id, Role = OrgRole.Owner, JoinedAt = time.GetUtcNow() });
        await db.SaveChangesAsync(cancellationToken);

        await signIn.SignInAsync(user, isPersistent: true);
        var me = await DescribeAsync(db, stores, user, cancellationToken);
        return TypedResults.Created("/api/me", me);
    }

    private static async Task<Results<Ok<MeResponse>, ValidationProblem, ProblemHttpResult>> SignInAsync(
        SignInRequest request, UserManager<AppUser> users, SignInManager<AppUser> signIn, AppIdentityDbContext db,
        IStoreDirectory stores, CancellationToken cancellationToken)
    {
        if (string.IsNullOrWhiteSpace(request.Email) || string.IsNullOrEmpty(request.Password))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]> { ["email"] = ["Give your e-mail and password."] },
                title: "Sign-in is incomplete");
        }

        var user = await users.FindByEmailAsync(request.Email.Trim());
        if (user is null)
        {
            return WrongPassword();
        }

        var result = await signIn.PasswordSignInAsync(user, request.Password, isPersistent: true, lockoutOnFailure: true);
        if (result.IsLockedOut)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status423Locked, title: "Account locked",
                detail: "Too many wrong passwords: this account is locked for a while. Try again later.");
        }

        if (!result.Succeeded)
        {
            return WrongPassword();
        }

        return TypedResults.Ok(await DescribeAsync(db, stores, user, cancellationToken));
    }

    private static ProblemHttpResult WrongPassword() =>
        TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in failed", detail: "The e-mail or password is wrong.");

    private static async Task<NoContent> SignOutAsync(SignInManager<AppUser> signIn)
    {
        await signIn.SignOutAsync();
        return TypedResults.NoContent();
    }

    private static async Task<Results<Ok<MeResponse>, ProblemHttpResult>> MeAsync(
        ClaimsPrincipal principal, UserManager<AppUser> users, AppIdentityDbContext db, IStoreDirectory stores, CancellationToken cancellationToken)
    {
        var user = await users.GetUserAsync(principal);
        if (user is null)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status401Unauthorized, title: "Sign-in required", detail: "Your account no longer exists.");
        }

        return TypedResults.Ok(await DescribeAsync(db, stores, user, cancellationToken));
    }

    internal static async Task<MeResponse> DescribeAsync(AppIdentityDbContext db, IStoreDirectory stores, AppUser user, CancellationToken cancellationToken)
    {
        var memberships = await (from m in db.Memberships.AsNoTracking()
                                 join o in db.Organisations.AsNoTracking() on m.OrganisationId equals o.Id
                                 where m.UserId == user.Id
                                 select new { o, m.Role }).ToListAsync(cancellationToken);
        var storesOf = new Dictionary<string, IReadOnlyList<StoreProfile>>(StringComparer.Ordinal);
        foreach (var membership in memberships)
        {
            storesOf[membership.o.Id] = await stores.ListAsync(membership.o.Id, cancellationToken);
        }

        var organisations = memberships
            .OrderBy(m => m.o.Name, StringComparer.OrdinalIgnoreCase)
            .Select(m => new MeOrganisation(m.o.Id, m.o.Name, m.Role.ToString(), m.o.TimeZone, m.o.ReportingCurrency,
                storesOf[m.o.Id].OrderBy(s => s.Name, StringComparer.Ordinal).Select(StoresApi.Summarise).ToList()))
            .ToList();
        return new MeResponse(new MeUser(user.Id, user.Email ?? string.Empty, user.DisplayName), organisations);
    }

    private static Dictionary<string, string[]> IdentityErrors(IdentityResult result) =>
        result.Errors
            .GroupBy(e => e.Code.StartsWith("Password", StringComparison.Ordinal) ? "password"
                : e.Code.Contains("Email", StringComparison.Ordinal) || e.Code.Contains("UserName", StringComparison.Ordinal) ? "email" : "account")
            .ToDictionary(g => g.Key, g => g.Select(e => e.Description).ToArray(), StringComparer.Ordinal);
}
