using Microsoft.AspNetCore.DataProtection;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using ReleaseBoard.Data;

namespace ReleaseBoard.Web.Infrastructure;

public static class StoreSetup
{
    /// <summary>
    /// The EF Core store for the configured provider, change notifications, and Data Protection keys in the database.
    /// </summary>
    public static WebApplicationBuilder AddReleaseBoardStore(this WebApplicationBuilder builder)
    {
        builder
            .Services.AddOptions<DatabaseOptions>()
            .BindConfiguration(DatabaseOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();

        // The one clock: every feature reads the time from it, so tests can fix it.
        builder.Services.TryAddSingleton(TimeProvider.System);
        builder.Services.AddSingleton<DataChangeNotifier>();
        builder.Services.AddSingleton<DataChangeInterceptor>();
        builder
            .Services.AddOptions<ChangeOptions>()
            .BindConfiguration(ChangeOptions.SectionName)
            .Validate(
                o => o.PollInterval >= TimeSpan.FromMilliseconds(100) && o.PollInterval <= TimeSpan.FromMinutes(5),
                "Changes:PollInterval must be between 00:00:00.1 and 00:05:00."
            )
            .ValidateOnStart();
        builder.Services.AddSingleton(sp =>
            ResolveConnection(
                sp.GetRequiredService<IConfiguration>(),
                sp.GetRequiredService<IOptions<DatabaseOptions>>().Value,
                sp.GetRequiredService<IWebHostEnvironment>().ContentRootPath
            )
        );

        // A factory, never a context scoped to a circuit: each component operation gets a short-lived context. Pooled,
        // because ingestion creates several per request and a pooled context skips most of the set-up.
        builder.Services.AddPooledDbContextFactory<ReleaseBoardDbContext>(
            (sp, options) =>
            {
                var connection = sp.GetRequiredService<DatabaseConnection>();
                options
                    .UseReleaseBoardDatabase(connection.Provider, connection.ConnectionString)
                    .AddInterceptors(sp.GetRequiredService<DataChangeInterceptor>())
                    // Features that write beside a write (notifications beside its audit entries) add theirs.
                    .AddInterceptors(
                        sp.GetServices<Microsoft.EntityFrameworkCore.Diagnostics.ISaveChangesInterceptor>()
                    );
            }
        );
        // Identity's stores and Data Protection take a context from the request scope: lease one from the same pool.
        builder.Services.AddScoped(sp =>
            sp.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>().CreateDbContext()
        );

        builder
            .Services.AddDataProtection()
            .SetApplicationName("ReleaseBoard")
            .PersistKeysToDbContext<ReleaseBoardDbContext>();

        return builder;
    }

    /// <summary>Applies migrations (when configured) before the app serves anything.</summary>
    public static async Task MigrateDatabaseAsync(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value;
        var connection = app.Services.GetRequiredService<DatabaseConnection>();
        if (connection.SqliteFolder is { } folder)
            Directory.CreateDirectory(folder);

        await using var db = await app
            .Services.GetRequiredService<IDbContextFactory<ReleaseBoardDbContext>>()
            .CreateDbContextAsync();
        if (options.MigrateOnStartup)
        {
            await db.Database.MigrateAsync();
            return;
        }
        // Migrations are someone else's step (docker-compose's one-shot `migrate`): an instance started before it ran
        // stops here with what to do, rather than failing later on a missing table.
        var pending = (await db.Database.GetPendingMigrationsAsync()).ToList();
        if (pending.Count > 0)
            throw new InvalidOperationException(
                $"{pending.Count} database migration(s) are not applied ({string.Join(", ", pending)}). Run the "
                    + $"migrate command "
                    + "(`ReleaseBoard.Web migrate`, or docker compose's migrate service) first, or set "
                    + "Database:MigrateOnStartup=true."
            );
    }

    internal static DatabaseConnection ResolveConnection(
        IConfiguration configuration,
        DatabaseOptions options,
        string contentRoot
    )
    {
        var configured = configuration.GetConnectionString(DatabaseOptions.ConnectionStringName);
        switch (options.Provider)
        {
            case DatabaseProvider.Sqlite when string.IsNullOrWhiteSpace(configured):
                var folder = Path.GetFullPath(Path.Combine(contentRoot, options.DataFolder));
                return new DatabaseConnection(
                    DatabaseProvider.Sqlite,
                    DatabaseProviderSetup.DefaultSqliteConnectionString(folder),
                    folder
                );
            case DatabaseProvider.Sqlite:
                var dataSource = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(configured).DataSource;
                var directory = Path.GetDirectoryName(Path.GetFullPath(dataSource, contentRoot));
                return new DatabaseConnection(
                    DatabaseProvider.Sqlite,
                    configured,
                    string.IsNullOrEmpty(directory) ? null : directory
                );
            case DatabaseProvider.SqlServer when string.IsNullOrWhiteSpace(configured):
                throw new OptionsValidationException(
                    DatabaseOptions.SectionName,
                    typeof(DatabaseOptions),
                    [
                        $"Database:Provider is SqlServer but ConnectionStrings:{DatabaseOptions.ConnectionStringName} "
                            + $"is empty. Set it, e.g. with the environment variable "
                            + $"ConnectionStrings__{DatabaseOptions.ConnectionStringName}.",
                    ]
                );
            default:
                return new DatabaseConnection(options.Provider, configured!, null);
        }
    }
}

/// <summary>
/// The resolved provider and connection string; <see cref="SqliteFolder"/> is the folder a SQLite file needs.
/// </summary>
public sealed record DatabaseConnection(DatabaseProvider Provider, string ConnectionString, string? SqliteFolder);
