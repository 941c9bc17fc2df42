using Microsoft.Extensions.Options;
using ReleaseBoard.Web.Infrastructure;

namespace ReleaseBoard.Web.Features.Access;

/// <summary>
/// There is no default password. At start-up the roles are ensured; without any admin, one is created from
/// Bootstrap:AdminEmail/AdminPassword when both are configured, and otherwise the log says exactly how to create one.
/// </summary>
public static class FirstAdminBootstrap
{
    public const string CreateAdminCommand =
        "dotnet run --project src/ReleaseBoard.Web --no-launch-profile -- users create --email you@example.com --role "
        + "Admin";

    public static async Task EnsureFirstAdminAsync(this WebApplication app)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var users = scope.ServiceProvider.GetRequiredService<UserAdministration>();
        var logger = scope.ServiceProvider.GetRequiredService<ILoggerFactory>().CreateLogger("ReleaseBoard.FirstAdmin");
        await users.EnsureRolesAsync();
        if (await users.AnyAdminAsync())
            return;

        var bootstrap = scope.ServiceProvider.GetRequiredService<IOptions<BootstrapOptions>>().Value;
        if (!string.IsNullOrWhiteSpace(bootstrap.AdminEmail) && !string.IsNullOrEmpty(bootstrap.AdminPassword))
        {
            var created = await users.CreateAsync(
                bootstrap.AdminEmail,
                Roles.Admin,
                bootstrap.AdminPassword,
                AuditActor.System
            );
            if (created.Succeeded)
                logger.LogInformation(
                    "Created the first admin {Email} from configuration (Bootstrap:AdminEmail).",
                    bootstrap.AdminEmail
                );
            else
                logger.LogError("Could not create the first admin from configuration: {Reason}", created.Error);
            return;
        }

        logger.LogWarning(
            "No admin exists yet, so nobody can sign in to manage ReleaseBoard. Create one with{NewLine}    "
                + "{Command}{NewLine}"
                + "(the password is read from standard input), or with the built app: ReleaseBoard.Web users create "
                + "--email you@example.com --role Admin. "
                + "Alternatively set Bootstrap__AdminEmail and Bootstrap__AdminPassword in the environment before the "
                + "next start.",
            Environment.NewLine,
            CreateAdminCommand,
            Environment.NewLine
        );
    }
}
