using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace ReleaseBoard.Data.Sqlite.Migrations
{
    /// <inheritdoc />
    public partial class DispatchTargetKinds : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<string>(
                name: "Ref",
                table: "PromotionActions",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Repository",
                table: "PromotionActions",
                type: "TEXT",
                maxLength: 200,
                nullable: true);

            migrationBuilder.AddColumn<string>(
                name: "Workflow",
                table: "PromotionActions",
                type: "TEXT",
                maxLength: 200,
                nullable: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropColumn(
                name: "Ref",
                table: "PromotionActions");

            migrationBuilder.DropColumn(
                name: "Repository",
                table: "PromotionActions");

            migrationBuilder.DropColumn(
                name: "Workflow",
                table: "PromotionActions");
        }
    }
}
