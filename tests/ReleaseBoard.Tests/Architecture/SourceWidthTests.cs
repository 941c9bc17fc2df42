using ReleaseBoard.Tests.Support;

namespace ReleaseBoard.Tests.Architecture;

/// <summary>Hand-written source stays within the 120 columns of .editorconfig; migrations are exempt.</summary>
public class SourceWidthTests
{
    private const int MaxColumns = 120;
    private static readonly string[] Extensions =
    [
        ".cs",
        ".razor",
        ".css",
        ".js",
        ".sh",
        ".yml",
        ".csproj",
        ".props",
        ".json",
    ];
    private static readonly string[] Skipped = ["bin", "obj", "Migrations", "node_modules", "wwwroot", ".git"];

    // Written by tools, or vectors copied from other tools' documentation: kept exactly as they come.
    private static readonly string[] Verbatim = ["package-lock.json", "openapi.v1.json", "Payloads"];
    private static readonly string[] TopLevel =
    [
        "docker-compose.yml",
        "Dockerfile",
        "Directory.Build.props",
        "Directory.Packages.props",
        "global.json",
    ];

    [Fact]
    public void No_hand_written_source_line_is_wider_than_120_columns()
    {
        var root = RepositoryRoot.Path;
        var wide = SourceFiles(root)
            .SelectMany(file => File.ReadLines(file).Select((line, index) => (file, line, number: index + 1)))
            .Where(l => l.line.Length > MaxColumns)
            .Select(l => $"{System.IO.Path.GetRelativePath(root, l.file)}:{l.number} ({l.line.Length} columns)")
            .ToList();

        Assert.True(
            wide.Count == 0,
            $"{wide.Count} lines are wider than {MaxColumns} columns:\n" + string.Join("\n", wide.Take(40))
        );
    }

    private static IEnumerable<string> SourceFiles(string root) =>
        new[] { "src", "tests", "wwwroot-assets", "scripts", ".ci" }
            .Select(folder => System.IO.Path.Combine(root, folder))
            .Where(Directory.Exists)
            .SelectMany(folder => Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
            .Concat(TopLevel.Select(name => System.IO.Path.Combine(root, name)).Where(File.Exists))
            .Where(file =>
                Extensions.Contains(System.IO.Path.GetExtension(file))
                || System.IO.Path.GetFileName(file) is "Dockerfile" or "run"
            )
            .Where(file =>
                !System
                    .IO.Path.GetRelativePath(root, file)
                    .Split('/', '\\')
                    .Any(part => Skipped.Contains(part) || Verbatim.Contains(part))
            );
}
