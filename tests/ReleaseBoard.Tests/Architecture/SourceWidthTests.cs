using ReleaseBoard.Tests.Support;

namespace ReleaseBoard.Tests.Architecture;

/// <summary>Hand-written source stays within the 120 columns of .editorconfig; migrations are exempt.</summary>
public class SourceWidthTests
{
    private const int MaxColumns = 120;
    private static readonly string[] Extensions = [".cs", ".razor", ".css", ".js", ".sh", ".yml"];
    private static readonly string[] Skipped = ["bin", "obj", "Migrations", "node_modules", "wwwroot", ".git"];

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
            .Append(System.IO.Path.Combine(root, "docker-compose.yml"))
            .Where(file => Extensions.Contains(System.IO.Path.GetExtension(file)) || file.EndsWith("/.ci/run"))
            .Where(file => !System.IO.Path.GetRelativePath(root, file).Split('/', '\\').Any(Skipped.Contains));
}
