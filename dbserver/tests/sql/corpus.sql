-- Differential corpus: each statement runs on MariaDB and on dbserver; the answers must
-- agree (see tests/sql_differential.rs). One statement ends with `;` at the end of a
-- line. `-- @conn N` switches connection; `-- @load wisconsin` loads the generated data.
-- Keep every ORDER BY total (ties would let the servers differ legitimately), never use
-- LIMIT without one, and keep string data lowercase or uniform in case (collations).

-- ===== No database selected yet =====
SELECT 1;
SELECT 1 + 1;
SELECT * FROM onek;
CREATE TABLE early (a INT);
USE no_such_database;
DROP DATABASE no_such_database;

-- ===== Wisconsin benchmark: the relations =====
CREATE DATABASE wisc;
CREATE DATABASE wisc;
USE wisc;
CREATE TABLE onek (unique1 INT NOT NULL, unique2 INT NOT NULL, two INT NOT NULL, four INT NOT NULL, ten INT NOT NULL, twenty INT NOT NULL, hundred INT NOT NULL, thousand INT NOT NULL, twothousand INT NOT NULL, fivethous INT NOT NULL, tenthous INT NOT NULL, odd INT NOT NULL, even INT NOT NULL, stringu1 CHAR(52) NOT NULL, stringu2 CHAR(52) NOT NULL, string4 CHAR(52) NOT NULL);
CREATE TABLE tenk1 (unique1 INT NOT NULL, unique2 INT NOT NULL, two INT NOT NULL, four INT NOT NULL, ten INT NOT NULL, twenty INT NOT NULL, hundred INT NOT NULL, thousand INT NOT NULL, twothousand INT NOT NULL, fivethous INT NOT NULL, tenthous INT NOT NULL, odd INT NOT NULL, even INT NOT NULL, stringu1 CHAR(52) NOT NULL, stringu2 CHAR(52) NOT NULL, string4 CHAR(52) NOT NULL);
CREATE TABLE tenk2 (unique1 INT NOT NULL, unique2 INT NOT NULL, two INT NOT NULL, four INT NOT NULL, ten INT NOT NULL, twenty INT NOT NULL, hundred INT NOT NULL, thousand INT NOT NULL, twothousand INT NOT NULL, fivethous INT NOT NULL, tenthous INT NOT NULL, odd INT NOT NULL, even INT NOT NULL, stringu1 CHAR(52) NOT NULL, stringu2 CHAR(52) NOT NULL, string4 CHAR(52) NOT NULL);
CREATE TABLE Bprime (unique1 INT NOT NULL, unique2 INT NOT NULL, two INT NOT NULL, four INT NOT NULL, ten INT NOT NULL, twenty INT NOT NULL, hundred INT NOT NULL, thousand INT NOT NULL, twothousand INT NOT NULL, fivethous INT NOT NULL, tenthous INT NOT NULL, odd INT NOT NULL, even INT NOT NULL, stringu1 CHAR(52) NOT NULL, stringu2 CHAR(52) NOT NULL, string4 CHAR(52) NOT NULL);
CREATE TABLE onek (a INT);
CREATE UNIQUE INDEX onek_unique1 ON onek (unique1);
CREATE UNIQUE INDEX onek_unique2 ON onek (unique2);
CREATE INDEX onek_hundred ON onek (hundred);
CREATE UNIQUE INDEX tenk1_unique1 ON tenk1 (unique1);
CREATE UNIQUE INDEX tenk1_unique2 ON tenk1 (unique2);
CREATE INDEX tenk1_hundred ON tenk1 (hundred);
CREATE UNIQUE INDEX tenk2_unique1 ON tenk2 (unique1);
CREATE UNIQUE INDEX tenk2_unique2 ON tenk2 (unique2);
CREATE INDEX tenk2_hundred ON tenk2 (hundred);
CREATE UNIQUE INDEX Bprime_unique1 ON Bprime (unique1);
CREATE UNIQUE INDEX Bprime_unique2 ON Bprime (unique2);
CREATE INDEX Bprime_hundred ON Bprime (hundred);
-- @load wisconsin
SELECT COUNT(*) FROM onek;
SELECT COUNT(*) FROM tenk1;
SELECT COUNT(*) FROM tenk2;
SELECT COUNT(*) FROM Bprime;
SELECT MIN(unique1), MAX(unique1), MIN(unique2), MAX(unique2) FROM tenk1;
SELECT SUM(unique1), SUM(unique2), SUM(two), SUM(hundred), SUM(odd), SUM(even) FROM onek;

-- ===== Wisconsin benchmark: the queries =====
-- selections of 1% and 10%, through the unique2 index, the unique1 index, and no index
SELECT * FROM tenk1 WHERE unique2 BETWEEN 0 AND 9;
SELECT * FROM tenk1 WHERE unique2 BETWEEN 792 AND 891;
SELECT * FROM tenk1 WHERE unique1 BETWEEN 0 AND 9;
SELECT * FROM tenk1 WHERE unique1 BETWEEN 792 AND 891;
SELECT * FROM onek WHERE unique2 BETWEEN 0 AND 9;
SELECT * FROM onek WHERE unique1 BETWEEN 792 AND 891;
SELECT * FROM tenk1 WHERE tenthous BETWEEN 100 AND 109;
SELECT unique1 FROM tenk1 WHERE unique1 < 10;
SELECT unique2 FROM tenk1 WHERE unique2 < 10;
SELECT unique1, unique2 FROM onek WHERE unique1 >= 990;
-- single-tuple selections
SELECT * FROM tenk1 WHERE unique2 = 500;
SELECT * FROM tenk1 WHERE unique1 = 500;
SELECT * FROM onek WHERE unique1 = 1;
SELECT stringu1, stringu2 FROM onek WHERE unique2 = 27;
SELECT * FROM tenk1 WHERE unique2 = 100000;
-- selections on strings
SELECT unique1, stringu1 FROM tenk1 WHERE stringu1 LIKE 'AAAAABA%';
SELECT COUNT(*) FROM tenk1 WHERE string4 LIKE 'HHHH%';
SELECT unique2 FROM onek WHERE stringu2 LIKE 'AAAAAAC%';
-- joins: joinAselB, joinABprime, joinCselAselB
SELECT * FROM tenk1 t1, tenk2 t2 WHERE t1.unique2 = t2.unique2 AND t2.unique2 < 100;
SELECT * FROM tenk1 t, Bprime b WHERE t.unique2 = b.unique2;
SELECT * FROM onek o, tenk1 t1, tenk2 t2 WHERE o.unique2 = t1.unique1 AND t1.unique1 = t2.unique1 AND t1.unique1 < 100 AND t2.unique1 < 100;
SELECT t1.unique1, t2.unique1 FROM tenk1 t1, tenk2 t2 WHERE t1.unique1 = t2.unique1 AND t2.unique1 < 100;
SELECT t.unique1, b.unique1 FROM tenk1 t JOIN Bprime b ON t.unique1 = b.unique1;
SELECT COUNT(*) FROM onek o JOIN tenk1 t ON o.unique1 = t.unique1 WHERE o.hundred = 7;
SELECT COUNT(*) FROM tenk1 t1, tenk2 t2 WHERE t1.unique2 = t2.unique2;
-- projections of 1% and 100%
SELECT DISTINCT two, four, ten, twenty, hundred, string4 FROM tenk1;
SELECT DISTINCT * FROM onek;
SELECT DISTINCT hundred FROM tenk1;
SELECT DISTINCT two, four FROM onek;
-- aggregates: scalar and grouped
SELECT MIN(unique2) FROM tenk1;
SELECT MIN(unique2) FROM tenk1 GROUP BY hundred;
SELECT SUM(unique2) FROM tenk1 GROUP BY hundred;
SELECT hundred, COUNT(*), MIN(unique1), MAX(unique1) FROM tenk1 GROUP BY hundred;
SELECT ten, SUM(unique1), AVG(unique2) FROM onek GROUP BY ten;
SELECT four, COUNT(*) FROM onek GROUP BY four HAVING COUNT(*) > 100;
SELECT twenty, COUNT(*) FROM tenk2 GROUP BY twenty HAVING MIN(unique1) < 10;
-- updates: append, delete, modify a key, modify a non-key
INSERT INTO tenk1 VALUES (1000, 1000, 0, 0, 0, 0, 0, 0, 1000, 1000, 1000, 1, 0, 'AAAABMMxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'AAAABMMxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx', 'AAAAxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx');
SELECT COUNT(*), MAX(unique1) FROM tenk1;
INSERT INTO tenk1 VALUES (1000, 1001, 0, 0, 0, 0, 0, 0, 1000, 1000, 1000, 1, 0, 'x', 'x', 'x');
DELETE FROM tenk1 WHERE unique1 = 1000;
DELETE FROM tenk1 WHERE unique1 = 1000;
UPDATE tenk1 SET unique2 = 1001 WHERE unique2 = 999;
SELECT unique1, unique2 FROM tenk1 WHERE unique2 >= 998;
UPDATE tenk1 SET unique2 = 999 WHERE unique2 = 1001;
UPDATE tenk1 SET unique2 = 998 WHERE unique2 = 999;
UPDATE tenk1 SET ten = 42 WHERE unique1 = 5;
SELECT unique1, ten FROM tenk1 WHERE ten = 42;
UPDATE tenk1 SET ten = unique1 % 10 WHERE unique1 = 5;
SELECT COUNT(*) FROM tenk1 WHERE ten = 42;
UPDATE onek SET hundred = hundred WHERE unique1 < 10;
UPDATE onek SET four = 4 WHERE unique1 >= 1000;

-- ===== sysbench's statements (oltp_common.lua) =====
CREATE TABLE sbtest1 (id INTEGER NOT NULL AUTO_INCREMENT, k INTEGER DEFAULT '0' NOT NULL, c CHAR(120) DEFAULT '' NOT NULL, pad CHAR(60) DEFAULT '' NOT NULL, PRIMARY KEY (id)) ENGINE = innodb;
INSERT INTO sbtest1 (k, c, pad) VALUES (5, 'c-01-aaaa', 'pad-01'), (3, 'c-02-bbbb', 'pad-02'), (5, 'c-03-cccc', 'pad-03'), (9, 'c-04-dddd', 'pad-04'), (1, 'c-05-eeee', 'pad-05');
INSERT INTO sbtest1 (k, c, pad) VALUES (7, 'c-06-ffff', 'pad-06'), (2, 'c-07-gggg', 'pad-07'), (8, 'c-08-hhhh', 'pad-08'), (4, 'c-09-iiii', 'pad-09'), (6, 'c-10-jjjj', 'pad-10');
CREATE INDEX k_1 ON sbtest1(k);
SELECT COUNT(*) FROM sbtest1;
SELECT c FROM sbtest1 WHERE id=3;
SELECT c FROM sbtest1 WHERE id=11;
SELECT c FROM sbtest1 WHERE id BETWEEN 2 AND 6;
SELECT SUM(k) FROM sbtest1 WHERE id BETWEEN 2 AND 6;
SELECT c FROM sbtest1 WHERE id BETWEEN 2 AND 6 ORDER BY c;
SELECT DISTINCT c FROM sbtest1 WHERE id BETWEEN 2 AND 6 ORDER BY c;
SELECT id, k FROM sbtest1 WHERE k = 5;
BEGIN;
UPDATE sbtest1 SET k=k+1 WHERE id=3;
UPDATE sbtest1 SET c='c-03-updated' WHERE id=4;
DELETE FROM sbtest1 WHERE id=5;
INSERT INTO sbtest1 (id, k, c, pad) VALUES (5, 11, 'c-05-again', 'pad-05-again');
COMMIT;
SELECT id, k, c, pad FROM sbtest1 ORDER BY id;
INSERT INTO sbtest1 (id, k, c, pad) VALUES (5, 12, 'dup', 'dup');
INSERT INTO sbtest1 (k, c, pad) VALUES (13, 'c-11-auto', 'pad-11');
SELECT id, k FROM sbtest1 WHERE id > 10;
SELECT id FROM sbtest1 WHERE k BETWEEN 4 AND 7;
UPDATE sbtest1 SET k=k+1 WHERE id=100;
DELETE FROM sbtest1 WHERE id=100;
DROP TABLE IF EXISTS sbtest1;
DROP TABLE IF EXISTS sbtest1;
DROP TABLE sbtest1;
SELECT COUNT(*) FROM sbtest1;

-- ===== Small relational data set =====
CREATE TABLE dept (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, city VARCHAR(20));
CREATE TABLE emp (id INT PRIMARY KEY, name VARCHAR(20) NOT NULL, dept_id INT, salary DECIMAL(10,2), manager_id INT, bonus INT);
CREATE TABLE proj (id INT PRIMARY KEY, dept_id INT, title VARCHAR(30), budget INT);
CREATE TABLE nums (n INT, m INT);
INSERT INTO dept VALUES (1, 'sales', 'paris'), (2, 'eng', 'berlin'), (3, 'ops', NULL), (4, 'legal', 'rome');
INSERT INTO emp VALUES (1, 'alice', 1, 5000.00, NULL, 100), (2, 'bob', 1, 4000.50, 1, NULL), (3, 'carol', 2, 7000.00, 1, 300), (4, 'dave', 2, 6500.25, 3, NULL);
INSERT INTO emp VALUES (5, 'erin', 2, 6500.25, 3, 50), (6, 'frank', NULL, 3000.00, 1, 0), (7, 'grace', 3, 4500.00, NULL, NULL), (8, 'heidi', 2, NULL, 3, 20);
INSERT INTO proj VALUES (1, 1, 'crm', 100), (2, 2, 'db', 500), (3, 2, 'compiler', 300), (4, NULL, 'misc', 10), (5, 5, 'ghost', 1);
INSERT INTO nums VALUES (1, 1), (2, NULL), (NULL, 3), (NULL, NULL), (5, 5), (2, 2);
SELECT * FROM dept;
SELECT * FROM emp;
SELECT id, name FROM emp ORDER BY id;
SELECT * FROM nums;

-- ===== NULL and three-valued logic =====
SELECT NULL;
SELECT NULL = NULL, NULL <> NULL, NULL IS NULL, NULL IS NOT NULL;
SELECT 1 = NULL, 1 < NULL, NULL + 1, NULL * 0;
SELECT NULL AND 0, NULL AND 1, NULL OR 1, NULL OR 0, NOT NULL;
SELECT TRUE AND NULL, FALSE OR NULL, TRUE OR NULL, FALSE AND NULL;
SELECT 1 IN (1, NULL), 2 IN (1, NULL), 2 NOT IN (1, NULL), NULL IN (1, 2);
SELECT NULL <=> NULL, 1 <=> NULL, 1 <=> 1;
SELECT COALESCE(NULL, NULL, 3), COALESCE(NULL, 'a'), IFNULL(NULL, 5), IFNULL(4, 5), NULLIF(3, 3), NULLIF(3, 4);
SELECT n, m FROM nums WHERE n = m;
SELECT n, m FROM nums WHERE n <> m;
SELECT n, m FROM nums WHERE n IS NULL;
SELECT n, m FROM nums WHERE n IS NOT NULL AND m IS NULL;
SELECT n, m FROM nums WHERE NOT (n = 1);
SELECT n, m FROM nums WHERE n = 1 OR m = 3;
SELECT n, m FROM nums WHERE n IN (1, 2);
SELECT n, m FROM nums WHERE n NOT IN (1, 2);
SELECT n, m FROM nums WHERE n NOT IN (1, NULL);
SELECT n, m FROM nums WHERE n <=> m;
SELECT n + m, n * m, n - m FROM nums;
SELECT COUNT(*), COUNT(n), COUNT(m), SUM(n), SUM(m), MIN(n), MAX(m) FROM nums;
SELECT AVG(n), AVG(m) FROM nums;
SELECT COUNT(DISTINCT n), COUNT(DISTINCT m) FROM nums;
SELECT n, COUNT(*) FROM nums GROUP BY n;
SELECT m, COUNT(m) FROM nums GROUP BY m;
SELECT SUM(n) FROM nums WHERE n > 100;
SELECT COUNT(*) FROM nums WHERE n > 100;
SELECT MAX(n) FROM nums WHERE 1 = 0;
SELECT name FROM emp WHERE bonus IS NULL;
SELECT name FROM emp WHERE bonus > 0;
SELECT name FROM emp WHERE NOT (bonus > 0);
SELECT name FROM emp WHERE manager_id IS NULL OR dept_id IS NULL;
SELECT name, COALESCE(bonus, -1) FROM emp;
SELECT DISTINCT n FROM nums;
SELECT n FROM nums ORDER BY n IS NULL, n, m;
SELECT name, salary FROM emp ORDER BY salary, id;
SELECT name, salary FROM emp ORDER BY salary DESC, id;
SELECT CASE WHEN n IS NULL THEN 'none' WHEN n > 1 THEN 'big' ELSE 'small' END FROM nums;
SELECT CASE n WHEN 1 THEN 'one' WHEN 2 THEN 'two' END FROM nums;

-- ===== Joins =====
SELECT e.name, d.name FROM emp e, dept d WHERE e.dept_id = d.id;
SELECT e.name, d.name FROM emp e JOIN dept d ON e.dept_id = d.id;
SELECT e.name, d.name FROM emp e INNER JOIN dept d ON d.id = e.dept_id WHERE d.city = 'berlin';
SELECT e.name, d.name FROM emp e LEFT JOIN dept d ON e.dept_id = d.id;
SELECT d.name, e.name FROM dept d LEFT JOIN emp e ON e.dept_id = d.id;
SELECT d.name, e.name FROM emp e RIGHT JOIN dept d ON e.dept_id = d.id;
SELECT d.name FROM dept d LEFT JOIN emp e ON e.dept_id = d.id WHERE e.id IS NULL;
SELECT e.name, d.name, p.title FROM emp e, dept d, proj p WHERE e.dept_id = d.id AND p.dept_id = d.id;
SELECT e.name, d.name, p.title FROM emp e JOIN dept d ON e.dept_id = d.id JOIN proj p ON p.dept_id = d.id WHERE p.budget > 200;
SELECT d.name, p.title FROM dept d JOIN proj p ON p.dept_id = d.id ORDER BY p.id;
SELECT d.name, COUNT(e.id) FROM dept d LEFT JOIN emp e ON e.dept_id = d.id GROUP BY d.name;
SELECT d.name, SUM(e.salary) FROM dept d JOIN emp e ON e.dept_id = d.id GROUP BY d.name;
SELECT e.name, m.name FROM emp e JOIN emp m ON e.manager_id = m.id;
SELECT e.name, m.name FROM emp e LEFT JOIN emp m ON e.manager_id = m.id;
SELECT e.name FROM emp e JOIN emp m ON e.manager_id = m.id WHERE m.name = 'carol';
SELECT COUNT(*) FROM emp e, dept d;
SELECT COUNT(*) FROM emp CROSS JOIN dept;
SELECT e.name, d.name FROM emp e, dept d WHERE e.dept_id = d.id AND e.salary > 5000;
SELECT e.name, d.name FROM emp e JOIN dept d ON e.dept_id = d.id AND d.name = 'eng';
SELECT e.id, p.id FROM emp e JOIN proj p ON e.dept_id = p.dept_id AND e.id < p.id;
SELECT e.name, p.title FROM emp e JOIN proj p ON p.dept_id = e.dept_id ORDER BY e.id, p.id;
SELECT a.n, b.m FROM nums a JOIN nums b ON a.n = b.m;
SELECT d.name, e.name FROM dept d JOIN emp e USING (id);
SELECT e.name FROM emp e WHERE e.dept_id IN (SELECT id FROM dept WHERE city IS NOT NULL);
SELECT e.name FROM emp e WHERE EXISTS (SELECT 1 FROM proj p WHERE p.dept_id = e.dept_id AND p.budget >= 300);
SELECT name FROM dept WHERE id NOT IN (SELECT dept_id FROM emp WHERE dept_id IS NOT NULL);
SELECT name, (SELECT COUNT(*) FROM emp e WHERE e.dept_id = d.id) FROM dept d;
SELECT name FROM emp WHERE salary = (SELECT MAX(salary) FROM emp);
SELECT name FROM emp WHERE salary > (SELECT AVG(salary) FROM emp);
SELECT t.dept_id, t.total FROM (SELECT dept_id, SUM(salary) AS total FROM emp GROUP BY dept_id) t WHERE t.total > 5000;
SELECT name FROM emp WHERE id = (SELECT id FROM emp);
SELECT name FROM dept WHERE id NOT IN (SELECT dept_id FROM emp);
SELECT name FROM dept WHERE id IN (SELECT dept_id FROM emp);
SELECT name FROM dept d WHERE NOT EXISTS (SELECT 1 FROM emp e WHERE e.dept_id = d.id);
SELECT name FROM emp e WHERE salary > (SELECT AVG(salary) FROM emp x WHERE x.dept_id = e.dept_id);
SELECT name FROM emp e WHERE e.id IN (SELECT manager_id FROM emp WHERE dept_id = e.dept_id);
SELECT name, (SELECT name FROM dept d WHERE d.id = e.dept_id) AS dname FROM emp e ORDER BY e.id;
SELECT (SELECT MAX(salary) FROM emp) - (SELECT MIN(salary) FROM emp);
SELECT NULL IN (SELECT id FROM dept WHERE 1 = 0), NULL NOT IN (SELECT id FROM dept WHERE 1 = 0);
SELECT 1 IN (SELECT manager_id FROM emp), 999 IN (SELECT manager_id FROM emp), 999 NOT IN (SELECT manager_id FROM emp);
SELECT 'SALES' IN (SELECT name FROM dept), '2' IN (SELECT id FROM dept);
SELECT EXISTS (SELECT 1 FROM emp), NOT EXISTS (SELECT 1 FROM emp WHERE 1 = 0);
SELECT (SELECT id FROM dept WHERE 1 = 0);
SELECT name FROM emp WHERE dept_id IN (SELECT id FROM dept WHERE id IN (SELECT dept_id FROM proj WHERE budget > 100));
SELECT d.name, COUNT(*) FROM dept d WHERE d.id IN (SELECT dept_id FROM emp) GROUP BY d.name HAVING COUNT(*) > 0;
SELECT id FROM emp WHERE id IN (SELECT id, name FROM dept);
SELECT (SELECT id, name FROM dept WHERE id = 1);
SELECT id FROM emp WHERE (SELECT dept_id FROM emp x WHERE x.id = emp.id) = 2 ORDER BY id;
SELECT d.name, t.n FROM dept d JOIN (SELECT dept_id, COUNT(*) AS n FROM emp GROUP BY dept_id) t ON t.dept_id = d.id ORDER BY d.id;
SELECT * FROM (SELECT id, name FROM dept ORDER BY id DESC LIMIT 2) AS x;
SELECT COUNT(*) FROM (SELECT DISTINCT dept_id FROM emp) AS x;
SELECT x.a + 1 FROM (SELECT 41 AS a) AS x;
SELECT * FROM (SELECT id FROM dept);
SELECT * FROM (SELECT id, id FROM dept) AS x;
SELECT d.name, e.name FROM proj p RIGHT JOIN dept d ON p.dept_id = d.id LEFT JOIN emp e ON e.dept_id = d.id WHERE d.id < 3;
SELECT d.name, p.title FROM proj p RIGHT OUTER JOIN dept d ON p.dept_id = d.id WHERE p.id IS NULL;
SELECT e.name, p.title FROM emp e JOIN proj p USING (dept_id) ORDER BY e.id, p.id;
SELECT e.name FROM emp e LEFT JOIN dept d USING (id) WHERE d.id IS NULL;
SELECT name FROM dept d JOIN emp e USING (nosuch);
SELECT e.name, d.name FROM emp e JOIN dept d ON e.dept_id = d.idx;
SELECT id FROM emp e, dept d WHERE e.dept_id = d.id;

-- ===== Aggregates, GROUP BY, HAVING =====
SELECT COUNT(*) FROM emp;
SELECT COUNT(salary), SUM(salary), MIN(salary), MAX(salary) FROM emp;
SELECT AVG(salary) FROM emp;
SELECT AVG(bonus), SUM(bonus), COUNT(bonus) FROM emp;
SELECT dept_id, COUNT(*) FROM emp GROUP BY dept_id;
SELECT dept_id, COUNT(*), SUM(salary), AVG(salary) FROM emp GROUP BY dept_id;
SELECT dept_id, MIN(name), MAX(name) FROM emp GROUP BY dept_id;
SELECT dept_id, COUNT(*) FROM emp GROUP BY dept_id HAVING COUNT(*) > 1;
SELECT dept_id, SUM(salary) FROM emp GROUP BY dept_id HAVING SUM(salary) > 8000;
SELECT dept_id, COUNT(*) AS c FROM emp GROUP BY dept_id HAVING c >= 2;
SELECT dept_id, COUNT(*) FROM emp WHERE salary > 4000 GROUP BY dept_id;
SELECT dept_id, COUNT(*) FROM emp GROUP BY dept_id ORDER BY COUNT(*) DESC, dept_id;
SELECT dept_id, MAX(salary) - MIN(salary) FROM emp GROUP BY dept_id;
SELECT COUNT(DISTINCT dept_id) FROM emp;
SELECT COUNT(DISTINCT salary) FROM emp;
SELECT SUM(DISTINCT salary) FROM emp;
SELECT dept_id, manager_id, COUNT(*) FROM emp GROUP BY dept_id, manager_id;
SELECT salary, COUNT(*) FROM emp GROUP BY salary;
SELECT COUNT(*) FROM emp WHERE dept_id = 99;
SELECT dept_id, COUNT(*) FROM emp WHERE dept_id = 99 GROUP BY dept_id;
SELECT MIN(name), MAX(name) FROM emp;
SELECT SUM(budget), AVG(budget), MIN(budget), MAX(budget) FROM proj;
SELECT dept_id, SUM(budget) FROM proj GROUP BY dept_id HAVING SUM(budget) > 50;
SELECT COUNT(*) FROM proj HAVING COUNT(*) > 3;
SELECT COUNT(*) FROM proj HAVING COUNT(*) > 30;
SELECT hundred, COUNT(*) FROM onek WHERE hundred < 5 GROUP BY hundred ORDER BY hundred;
SELECT ten, MIN(unique1), MAX(unique1), SUM(unique1) FROM onek GROUP BY ten ORDER BY ten;
SELECT two, four, COUNT(*) FROM tenk1 GROUP BY two, four ORDER BY two, four;
SELECT COUNT(*) FROM emp WHERE COUNT(*) > 1;
SELECT SUM(salary) FROM emp GROUP BY nosuchcol;

-- ===== ORDER BY, LIMIT, OFFSET =====
SELECT id, name FROM emp ORDER BY name;
SELECT id, name FROM emp ORDER BY name DESC;
SELECT id, name FROM emp ORDER BY id LIMIT 3;
SELECT id, name FROM emp ORDER BY id LIMIT 3 OFFSET 2;
SELECT id, name FROM emp ORDER BY id LIMIT 2, 3;
SELECT id, name FROM emp ORDER BY id DESC LIMIT 1;
SELECT id FROM emp ORDER BY id LIMIT 0;
SELECT id FROM emp ORDER BY id LIMIT 100 OFFSET 7;
SELECT id FROM emp ORDER BY id LIMIT 5 OFFSET 100;
SELECT name, salary FROM emp ORDER BY salary DESC, name LIMIT 3;
SELECT dept_id, name FROM emp ORDER BY dept_id, name;
SELECT dept_id, name FROM emp ORDER BY dept_id DESC, name DESC;
SELECT name FROM emp ORDER BY 1;
SELECT name, id FROM emp ORDER BY 2 DESC;
SELECT name AS who FROM emp ORDER BY who;
SELECT id, salary * 2 AS double_pay FROM emp ORDER BY double_pay, id;
SELECT unique1 FROM onek ORDER BY unique1 LIMIT 5;
SELECT unique1 FROM onek ORDER BY unique1 DESC LIMIT 5;
SELECT unique2, stringu1 FROM onek ORDER BY stringu1 LIMIT 5 OFFSET 10;
SELECT unique1, unique2 FROM tenk1 WHERE hundred = 3 ORDER BY unique2;
SELECT unique1 FROM tenk2 ORDER BY hundred, unique1 LIMIT 7;
SELECT unique1 FROM tenk2 ORDER BY ten DESC, unique1 DESC LIMIT 4 OFFSET 3;
SELECT id FROM emp ORDER BY nosuchcol;
SELECT id FROM emp ORDER BY id LIMIT -1;

-- ===== DISTINCT =====
SELECT DISTINCT dept_id FROM emp;
SELECT DISTINCT dept_id, manager_id FROM emp;
SELECT DISTINCT salary FROM emp ORDER BY salary;
SELECT DISTINCT bonus IS NULL FROM emp;
SELECT DISTINCT n, m FROM nums;
SELECT DISTINCT four FROM tenk1 ORDER BY four;
SELECT DISTINCT string4 FROM tenk1;
SELECT DISTINCT city FROM dept;

-- ===== LIKE =====
SELECT name FROM emp WHERE name LIKE 'a%';
SELECT name FROM emp WHERE name LIKE '%e';
SELECT name FROM emp WHERE name LIKE '%r%';
SELECT name FROM emp WHERE name LIKE '_o_';
SELECT name FROM emp WHERE name LIKE '____';
SELECT name FROM emp WHERE name NOT LIKE '%a%';
SELECT name FROM emp WHERE name LIKE 'zz%';
SELECT name FROM emp WHERE name LIKE '%';
SELECT city FROM dept WHERE city LIKE 'p%';
SELECT city FROM dept WHERE city NOT LIKE 'p%';
SELECT 'abc' LIKE 'a%', 'abc' LIKE 'b%', 'a_c' LIKE 'a\_c', 'abc' LIKE 'a\_c', '100%' LIKE '100\%';
SELECT 'abc' LIKE NULL, NULL LIKE 'a';
SELECT title FROM proj WHERE title LIKE 'c%' ORDER BY title;

-- ===== IN and BETWEEN =====
SELECT name FROM emp WHERE id IN (1, 3, 5);
SELECT name FROM emp WHERE id NOT IN (1, 3, 5);
SELECT name FROM emp WHERE name IN ('bob', 'erin', 'nobody');
SELECT name FROM emp WHERE dept_id IN (2);
SELECT name FROM emp WHERE dept_id NOT IN (2);
SELECT 3 IN (1, 2, 3), 4 IN (1, 2, 3), 'b' IN ('a', 'b');
SELECT name FROM emp WHERE salary BETWEEN 4000 AND 6500.25;
SELECT name FROM emp WHERE salary NOT BETWEEN 4000 AND 6500.25;
SELECT name FROM emp WHERE id BETWEEN 3 AND 3;
SELECT name FROM emp WHERE id BETWEEN 5 AND 2;
SELECT 5 BETWEEN 1 AND 10, 0 BETWEEN 1 AND 10, NULL BETWEEN 1 AND 2, 2 BETWEEN NULL AND 3;
SELECT name FROM emp WHERE name BETWEEN 'b' AND 'e';
SELECT unique1 FROM tenk1 WHERE unique1 IN (0, 17, 999, 1000);
SELECT COUNT(*) FROM tenk1 WHERE hundred IN (1, 2, 3) AND ten BETWEEN 1 AND 3;

-- ===== Arithmetic and expressions =====
SELECT 1 + 2, 7 - 10, 6 * 7, -5;
SELECT 7 / 2, 1 / 3, 10 / 5, 2 / 4;
SELECT 7 DIV 2, -7 DIV 2, 7 % 3, -7 % 3, 7 MOD -3, MOD(10, 4);
SELECT 1 / 0, 5 % 0, 0 / 5;
SELECT 2 + 3 * 4, (2 + 3) * 4, 10 - 2 - 3, 100 / 10 / 5;
SELECT 1.5 + 2.25, 0.1 + 0.2, 3.00 * 2, 1.10 - 0.1;
SELECT 9223372036854775807, -9223372036854775808;
SELECT 4294967296 * 4294967, 123456789 * 1000;
SELECT ABS(-3), ABS(2), ABS(-2.5);
SELECT ROUND(2.5), ROUND(3.14159, 2), ROUND(-2.5), ROUND(1234.5678, -2);
SELECT FLOOR(2.7), CEIL(2.1), FLOOR(-2.7), CEILING(-2.1);
SELECT GREATEST(1, 5, 3), LEAST(4, 2, 8), GREATEST(2, NULL);
SELECT 1 < 2, 2 <= 2, 3 > 4, 5 >= 5, 1 = 1, 1 <> 2, 1 != 1;
SELECT 1 AND 1, 1 AND 0, 0 OR 0, 1 OR 0, NOT 1, NOT 0, 1 XOR 1;
SELECT id, salary * 12 FROM emp;
SELECT id, salary / 2, salary + bonus FROM emp;
SELECT id, bonus * 2 + 1, -bonus FROM emp;
SELECT unique1 * 2 + unique2 FROM onek WHERE unique2 < 5;
SELECT unique1 % 7, unique1 DIV 7 FROM tenk1 WHERE unique2 < 5;
SELECT SUM(unique1 * unique2) FROM onek;
SELECT SUM(unique1) / COUNT(*), AVG(unique1) FROM onek;
SELECT CONCAT('a', 'b', 'c'), CONCAT('x', NULL), CONCAT(1, 2);
SELECT LENGTH('hello'), CHAR_LENGTH('hello'), UPPER('abc'), LOWER('ABC');
SELECT SUBSTRING('abcdef', 2, 3), SUBSTRING('abcdef', 4), LEFT('abcdef', 2), RIGHT('abcdef', 2);
SELECT TRIM('  x  '), LTRIM('  x'), RTRIM('x  '), REPLACE('aXbXc', 'X', '-');
SELECT CONCAT(name, '@', id) FROM emp;
SELECT UPPER(name) FROM emp WHERE id < 4;
SELECT LENGTH(stringu1) FROM onek WHERE unique2 = 1;
SELECT IF(1 > 0, 'yes', 'no'), IF(NULL, 'yes', 'no');
SELECT CAST('42' AS SIGNED), CAST(3.7 AS SIGNED), CAST(-1 AS UNSIGNED) > 0;
SELECT '10' + 5, '3' * '4', 'abc' = 'abc', 'a' < 'b';
SELECT id FROM emp WHERE id * 2 = 6;
SELECT id FROM emp WHERE id + 1 > 7;
SELECT id FROM emp WHERE -id < -6;

-- ===== DML: insert, update, delete with affected rows =====
CREATE TABLE t (id INT PRIMARY KEY, v VARCHAR(10) NOT NULL, n INT DEFAULT 7, d DECIMAL(6,2));
INSERT INTO t VALUES (1, 'one', 1, 1.50);
INSERT INTO t (id, v) VALUES (2, 'two');
INSERT INTO t (v, id, d) VALUES ('three', 3, 3.25);
INSERT INTO t VALUES (4, 'four', NULL, NULL), (5, 'five', 5, 5.00), (6, 'six', 6, -6.75);
SELECT * FROM t;
SELECT id, n FROM t WHERE n = 7;
UPDATE t SET n = n + 10 WHERE id > 4;
UPDATE t SET n = 0 WHERE id = 99;
UPDATE t SET v = 'uno' WHERE id = 1;
UPDATE t SET v = 'uno' WHERE id = 1;
UPDATE t SET d = d * 2;
SELECT id, v, n, d FROM t;
DELETE FROM t WHERE n IS NULL;
DELETE FROM t WHERE id = 42;
SELECT COUNT(*) FROM t;
INSERT INTO t VALUES (1, 'again', 1, 1);
INSERT INTO t VALUES (7, NULL, 1, 1);
INSERT INTO t (id) VALUES (8);
INSERT INTO t VALUES (9, 'nine');
INSERT INTO t VALUES (10, 'ten', 10, 10, 10);
INSERT INTO t (id, nosuchcol) VALUES (11, 1);
INSERT INTO t VALUES (12, 'twelve-too-long', 1, 1);
INSERT INTO t VALUES (13, 'x', 'abc', 1);
UPDATE t SET nosuchcol = 1;
UPDATE t SET id = 2 WHERE id = 1;
UPDATE t SET v = NULL WHERE id = 1;
SELECT id, v FROM t ORDER BY id;
DELETE FROM t WHERE id >= 5;
SELECT id FROM t;
DELETE FROM t;
SELECT COUNT(*) FROM t;
CREATE TABLE ai (id INT NOT NULL AUTO_INCREMENT PRIMARY KEY, label VARCHAR(10));
INSERT INTO ai (label) VALUES ('a');
INSERT INTO ai (label) VALUES ('b'), ('c');
INSERT INTO ai (id, label) VALUES (10, 'ten');
INSERT INTO ai (label) VALUES ('eleven');
SELECT id, label FROM ai;
DELETE FROM ai WHERE id > 2;
SELECT COUNT(*) FROM ai;

-- ===== Transactions, one session =====
CREATE TABLE acct (id INT PRIMARY KEY, balance INT NOT NULL);
INSERT INTO acct VALUES (1, 100), (2, 50);
BEGIN;
UPDATE acct SET balance = balance - 30 WHERE id = 1;
UPDATE acct SET balance = balance + 30 WHERE id = 2;
SELECT id, balance FROM acct;
ROLLBACK;
SELECT id, balance FROM acct;
START TRANSACTION;
INSERT INTO acct VALUES (3, 10);
SELECT COUNT(*) FROM acct;
COMMIT;
SELECT id, balance FROM acct;
BEGIN;
DELETE FROM acct WHERE id = 3;
SELECT COUNT(*) FROM acct;
ROLLBACK;
SELECT COUNT(*) FROM acct;
SET autocommit = 0;
UPDATE acct SET balance = 0 WHERE id = 2;
ROLLBACK;
SELECT balance FROM acct WHERE id = 2;
UPDATE acct SET balance = 1 WHERE id = 2;
COMMIT;
SET autocommit = 1;
SELECT balance FROM acct WHERE id = 2;
BEGIN;
INSERT INTO acct VALUES (4, 40);
INSERT INTO acct VALUES (4, 41);
SELECT id, balance FROM acct WHERE id = 4;
COMMIT;
SELECT id, balance FROM acct;
ROLLBACK;
COMMIT;

-- ===== Transactions seen from a second session (READ COMMITTED) =====
-- @conn 1
USE wisc;
SELECT id, balance FROM acct;
-- @conn 0
BEGIN;
INSERT INTO acct VALUES (5, 500);
UPDATE acct SET balance = balance + 1 WHERE id = 1;
-- @conn 1
SELECT id, balance FROM acct;
SELECT COUNT(*) FROM acct WHERE id = 5;
-- @conn 0
COMMIT;
-- @conn 1
SELECT id, balance FROM acct;
BEGIN;
DELETE FROM acct WHERE id = 5;
-- @conn 0
SELECT COUNT(*) FROM acct;
-- @conn 1
ROLLBACK;
-- @conn 0
SELECT COUNT(*) FROM acct;
-- @conn 1
BEGIN;
SELECT balance FROM acct WHERE id = 1;
-- @conn 0
UPDATE acct SET balance = 999 WHERE id = 1;
-- @conn 1
SELECT balance FROM acct WHERE id = 1;
COMMIT;
-- @conn 0

-- ===== DDL and catalog errors =====
CREATE TABLE dept (id INT);
CREATE TABLE IF NOT EXISTS dept (id INT);
CREATE TABLE dupcol (a INT, a INT);
CREATE TABLE twokeys (a INT PRIMARY KEY, b INT PRIMARY KEY);
CREATE TABLE u (a INT, b VARCHAR(5), UNIQUE KEY ub (b));
INSERT INTO u VALUES (1, 'x'), (2, 'y');
INSERT INTO u VALUES (3, 'x');
INSERT INTO u VALUES (3, NULL), (4, NULL);
SELECT a, b FROM u;
UPDATE u SET b = 'y' WHERE a = 1;
DROP TABLE u;
DROP TABLE u;
DROP TABLE IF EXISTS u;
SELECT * FROM u;
SELECT nosuchcol FROM emp;
SELECT emp.nosuchcol FROM emp;
SELECT nosuch.id FROM emp;
SELECT id FROM emp, dept;
SELECT * FROM emp WHERE nosuchcol = 1;
SELECT * FROM nosuchdb.emp;
SELECT * FROM wisc.emp WHERE id = 1;
SELEC 1;
SELECT * FROM;
SELECT 1 +;
INSERT INTO emp VALUES;
SELECT (1;
SELECT 'unterminated;
CREATE DATABASE scratch;
USE scratch;
SELECT COUNT(*) FROM emp;
CREATE TABLE s (a INT);
INSERT INTO s VALUES (1), (2);
SELECT a FROM s;
SELECT COUNT(*) FROM wisc.emp;
SELECT s.a, e.name FROM s JOIN wisc.emp e ON e.id = s.a;
USE wisc;
DROP DATABASE scratch;
SELECT * FROM scratch.s;
DROP DATABASE scratch;
DROP TABLE nosuchtable;
DROP TABLE proj;
SELECT COUNT(*) FROM proj;
