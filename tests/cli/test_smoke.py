def test_a_line_can_be_added_and_reported(cli):
    assert cli("line", "add", "it", "--name", "IT").exit_code == 0
    assert cli("line", "add", "it-sak", "--name", "Säkerhet", "--parent", "it").exit_code == 0
    assert cli("budget", "set", "it-sak", "1 236 897", "--year", "2024", "--reason", "r").exit_code == 0
    doc = cli.json("report", "--year", "2024", "--as-of", "2024-05")
    assert [line["code"] for line in doc["lines"]] == ["it", "it-sak"]
    assert doc["total"]["budget"] == "1236897.00"


def test_a_refused_command_prints_one_line_and_exits_1(cli):
    result = cli("budget", "set", "nope", "5", "--year", "2024", "--reason", "r")
    assert result.exit_code == 1
    assert result.stderr.strip().count("\n") == 0
    assert "nope" in result.stderr
